using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace KafkaKinesisBridge.Firehose.Sink.Naming;

/// <summary>
/// Firehose's S3 prefixes ("Custom Prefixes for Amazon S3 Objects", "Amazon S3 object name format"):
/// literal text with <c>!{timestamp:pattern}</c> (Java DateTimeFormatter, evaluated at the oldest
/// record's arrival time in UTC or CustomTimeZone; every instance in one prefix is the same instant),
/// <c>!{firehose:random-string}</c> (11 letters and digits) and, in ErrorOutputPrefix only,
/// <c>!{firehose:error-output-type}</c>. A prefix without expressions gets the default time prefix
/// <c>yyyy/MM/dd/HH/</c> appended (so an empty prefix is just the default). Pure: the time, the
/// random string and the error type are inputs.
/// </summary>
public sealed class PrefixEvaluator
{
    /// <summary>Firehose's limit on Prefix and ErrorOutputPrefix (API reference: 0 to 1024 characters).</summary>
    public const int MaxPrefixLength = 1024;

    /// <summary>Length of <c>!{firehose:random-string}</c>.</summary>
    public const int RandomStringLength = 11;

    private const string DefaultTimePattern = "yyyy/MM/dd/HH/";

    private readonly Segment[] _segments;

    private PrefixEvaluator(Segment[] segments) => _segments = segments;

    /// <summary>True when the prefix uses <c>!{firehose:random-string}</c>.</summary>
    public bool UsesRandomString => _segments.Any(static s => s.Kind == SegmentKind.RandomString);

    /// <summary>Compiles a Prefix (<paramref name="isErrorPrefix"/> false) or ErrorOutputPrefix.</summary>
    public static bool TryCompile(string? prefix, bool isErrorPrefix, [NotNullWhen(true)] out PrefixEvaluator? evaluator, out string? error)
    {
        evaluator = null;
        prefix ??= string.Empty;
        if (prefix.Length > MaxPrefixLength)
        {
            error = $"Prefix is longer than {MaxPrefixLength} characters.";
            return false;
        }

        var segments = new List<Segment>();
        var literal = new StringBuilder();
        var hasExpression = false;
        var i = 0;
        while (i < prefix.Length)
        {
            if (prefix[i] != '!' || i + 1 >= prefix.Length || prefix[i + 1] != '{')
            {
                literal.Append(prefix[i]);
                i++;
                continue;
            }

            var close = prefix.IndexOf('}', i + 2);
            if (close < 0)
            {
                error = $"Unterminated expression in prefix '{prefix}'.";
                return false;
            }

            var body = prefix[(i + 2)..close];
            if (body.Contains("!{", StringComparison.Ordinal))
            {
                error = "Expressions in a prefix cannot be nested.";
                return false;
            }

            var colon = body.IndexOf(':', StringComparison.Ordinal);
            var ns = colon < 0 ? body : body[..colon];
            var value = colon < 0 ? string.Empty : body[(colon + 1)..];
            Segment segment;
            switch (ns)
            {
                case "timestamp":
                    if (value.Length == 0)
                    {
                        error = "The timestamp expression needs a pattern: !{timestamp:yyyy}.";
                        return false;
                    }

                    if (!JavaDateTimePattern.TryCompile(value, out var pattern, out error))
                    {
                        return false;
                    }

                    segment = new Segment(SegmentKind.Timestamp, null, pattern);
                    break;
                case "firehose" when value == "random-string":
                    segment = new Segment(SegmentKind.RandomString, null, null);
                    break;
                case "firehose" when value == "error-output-type":
                    if (!isErrorPrefix)
                    {
                        error = "!{firehose:error-output-type} can be used only in ErrorOutputPrefix.";
                        return false;
                    }

                    segment = new Segment(SegmentKind.ErrorOutputType, null, null);
                    break;
                case "firehose":
                    error = $"Unknown firehose expression '{value}': use random-string or error-output-type.";
                    return false;
                case "partitionKeyFromQuery" or "partitionKeyFromLambda":
                    error = "Dynamic partitioning (partitionKeyFromQuery, partitionKeyFromLambda) is not supported.";
                    return false;
                default:
                    error = $"Unknown namespace '{ns}' in prefix: use timestamp or firehose.";
                    return false;
            }

            if (literal.Length > 0)
            {
                segments.Add(new Segment(SegmentKind.Literal, literal.ToString(), null));
                literal.Clear();
            }

            segments.Add(segment);
            hasExpression = true;
            i = close + 1;
        }

        if (literal.Length > 0)
        {
            segments.Add(new Segment(SegmentKind.Literal, literal.ToString(), null));
        }

        if (!hasExpression)
        {
            // No expressions: Firehose appends its default time prefix (the behaviour that predates
            // custom prefixes, kept for literal prefixes such as "logs/"). Errors go under the
            // error type first, as Firehose's "processing-failed/" folders do.
            if (isErrorPrefix)
            {
                segments.Add(new Segment(SegmentKind.ErrorOutputType, null, null));
                segments.Add(new Segment(SegmentKind.Literal, "/", null));
            }

            JavaDateTimePattern.TryCompile(DefaultTimePattern, out var defaultPattern, out _);
            segments.Add(new Segment(SegmentKind.Timestamp, null, defaultPattern));
        }

        evaluator = new PrefixEvaluator([.. segments]);
        error = null;
        return true;
    }

    /// <summary>Checks a Prefix and ErrorOutputPrefix together; null when valid, else the reason.</summary>
    public static string? ValidatePrefixes(string? prefix, string? errorOutputPrefix)
    {
        if (!TryCompile(prefix, isErrorPrefix: false, out _, out var error))
        {
            return error;
        }

        if (!TryCompile(errorOutputPrefix, isErrorPrefix: true, out _, out error))
        {
            return "ErrorOutputPrefix: " + error;
        }

        // "If you specify an expression for Prefix, you must also specify ErrorOutputPrefix."
        if (prefix is not null && prefix.Contains("!{", StringComparison.Ordinal) && string.IsNullOrEmpty(errorOutputPrefix))
        {
            return "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.";
        }

        return null;
    }

    /// <summary>
    /// The evaluated prefix for the oldest record's arrival time <paramref name="arrival"/> in
    /// <paramref name="timeZone"/>.
    /// </summary>
    public string Evaluate(DateTimeOffset arrival, TimeZoneInfo timeZone, string randomString, string? errorOutputType = null)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        ArgumentNullException.ThrowIfNull(randomString);
        var local = TimeZoneInfo.ConvertTime(arrival, timeZone);
        var output = new StringBuilder();
        foreach (var segment in _segments)
        {
            switch (segment.Kind)
            {
                case SegmentKind.Literal:
                    output.Append(segment.Literal);
                    break;
                case SegmentKind.Timestamp:
                    segment.Pattern!.Format(local, output);
                    break;
                case SegmentKind.RandomString:
                    output.Append(randomString);
                    break;
                case SegmentKind.ErrorOutputType:
                    output.Append(errorOutputType ?? string.Empty);
                    break;
            }
        }

        return output.ToString();
    }

    /// <summary>
    /// The object key: <c>&lt;evaluated prefix&gt;&lt;stream name&gt;-&lt;version&gt;-&lt;yyyy-MM-dd-HH-mm-ss&gt;-&lt;id&gt;&lt;extension&gt;</c>
    /// (Firehose "Amazon S3 object name format"); the time is in <paramref name="timeZone"/>, as the prefix.
    /// </summary>
    public static string BuildKey(string evaluatedPrefix, string streamName, long version, DateTimeOffset arrival, TimeZoneInfo timeZone, string id, string extension)
    {
        var local = TimeZoneInfo.ConvertTime(arrival, timeZone);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{evaluatedPrefix}{streamName}-{version}-{local:yyyy-MM-dd-HH-mm-ss}-{id}{extension}");
    }

    /// <summary>Finds an IANA (or Windows) time zone by name.</summary>
    public static bool TryFindTimeZone(string? name, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        if (string.IsNullOrEmpty(name) || name == "UTC")
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(name);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = null;
            return false;
        }
    }

    private enum SegmentKind
    {
        Literal,
        Timestamp,
        RandomString,
        ErrorOutputType,
    }

    private readonly record struct Segment(SegmentKind Kind, string? Literal, JavaDateTimePattern? Pattern);
}
