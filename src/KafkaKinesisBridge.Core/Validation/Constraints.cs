using System.Globalization;

namespace KafkaKinesisBridge.Core.Validation;

/// <summary>
/// The request-shape constraints of the Kinesis service model (botocore / AWS SDK model
/// <c>kinesis 2013-12-02</c>): lengths, ranges and patterns of each member type. Each check appends
/// to a lazily created <see cref="ValidationErrors"/>.
/// </summary>
internal static class Constraints
{
    public const int MaxStreamNameLength = 128;
    public const int MaxShardIdLength = 128;
    public const int MaxPartitionKeyLength = 256;
    public const int MaxArnLength = 2048;
    public const int MaxShardIteratorLength = 512;
    public const int MaxTagKeyLength = 128;
    public const int MaxTagValueLength = 256;
    public const int MaxNextTokenLength = 1048576;

    public const string NamePattern = "[a-zA-Z0-9_.-]+";
    public const string HashKeyPattern = "0|([1-9]\\d{0,38})";
    public const string SequenceNumberPattern = "0|([1-9]\\d{0,128})";
    public const string StreamArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/.+";

    private const string NotNull = "Member must not be null";

    public static void Required(ref ValidationErrors? errors, object? value, string member)
    {
        if (value is null)
        {
            ValidationErrors.Add(ref errors, "null", member, NotNull);
        }
    }

    /// <summary>A stream name, consumer name or shard id: 1..max of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public static void Name(ref ValidationErrors? errors, string? value, string member, bool required, int maxLength = MaxStreamNameLength)
    {
        if (value is null)
        {
            if (required)
            {
                ValidationErrors.Add(ref errors, "null", member, NotNull);
            }

            return;
        }

        if (!IsName(value))
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(value), member, "Member must satisfy regular expression pattern: " + NamePattern);
        }

        Length(ref errors, value, member, 1, maxLength);
    }

    public static void Length(ref ValidationErrors? errors, string value, string member, int min, int max)
    {
        if (value.Length < min)
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(value), member, "Member must have length greater than or equal to " + min.ToString(CultureInfo.InvariantCulture));
        }
        else if (value.Length > max)
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(value), member, "Member must have length less than or equal to " + max.ToString(CultureInfo.InvariantCulture));
        }
    }

    public static void Range(ref ValidationErrors? errors, long? value, string member, long min, long max)
    {
        if (value is not { } v)
        {
            return;
        }

        if (v < min)
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(v), member, "Member must have value greater than or equal to " + min.ToString(CultureInfo.InvariantCulture));
        }
        else if (v > max)
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(v), member, "Member must have value less than or equal to " + max.ToString(CultureInfo.InvariantCulture));
        }
    }

    public static void StreamArn(ref ValidationErrors? errors, string? value, string member = "streamARN")
    {
        if (value is null)
        {
            return;
        }

        Length(ref errors, value, member, 1, MaxArnLength);
        if (value.Length > 0 && !StreamArns.MatchesPattern(value))
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(value), member, "Member must satisfy regular expression pattern: " + StreamArnPattern);
        }
    }

    public static void PartitionKey(ref ValidationErrors? errors, string? value, string member)
    {
        if (value is null)
        {
            ValidationErrors.Add(ref errors, "null", member, NotNull);
            return;
        }

        Length(ref errors, value, member, 1, MaxPartitionKeyLength);
    }

    public static void HashKey(ref ValidationErrors? errors, string? value, string member)
    {
        if (value is not null && !IsDecimal(value, 39))
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(value), member, "Member must satisfy regular expression pattern: " + HashKeyPattern);
        }
    }

    public static void SequenceNumber(ref ValidationErrors? errors, string? value, string member)
    {
        if (value is not null && !IsDecimal(value, 129))
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(value), member, "Member must satisfy regular expression pattern: " + SequenceNumberPattern);
        }
    }

    /// <summary>True for <c>[a-zA-Z0-9_.-]+</c>.</summary>
    public static bool IsName(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for <c>0|([1-9]\d{0,maxDigits-1})</c>.</summary>
    public static bool IsDecimal(ReadOnlySpan<char> value, int maxDigits)
    {
        if (value.IsEmpty || value.Length > maxDigits)
        {
            return false;
        }

        if (value[0] == '0')
        {
            return value.Length == 1;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
