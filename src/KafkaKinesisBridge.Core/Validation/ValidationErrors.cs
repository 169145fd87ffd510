using System.Globalization;
using System.Text;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Core.Validation;

/// <summary>
/// Collects request-shape constraint failures and reports them the way Kinesis does: one
/// ValidationException whose message reads "N validation error(s) detected: Value 'x' at 'member'
/// failed to satisfy constraint: ...; Value ..." (AWS JSON protocol, Coral validation). Created
/// lazily (<c>ref ValidationErrors?</c>) so a valid request allocates nothing.
/// </summary>
internal sealed class ValidationErrors
{
    // Kinesis reports at most 10 failures in one message.
    private const int MaxReported = 10;
    private readonly List<string> _errors = [];

    public int Count => _errors.Count;

    public static void Add(ref ValidationErrors? errors, string renderedValue, string member, string constraint)
    {
        errors ??= new ValidationErrors();
        if (errors._errors.Count < MaxReported)
        {
            errors._errors.Add($"Value {renderedValue} at '{member}' failed to satisfy constraint: {constraint}");
        }
    }

    public static void ThrowIfAny(ValidationErrors? errors)
    {
        if (errors is { Count: > 0 })
        {
            throw errors.ToException();
        }
    }

    public KinesisException ToException()
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{_errors.Count} validation error{(_errors.Count > 1 ? "s" : string.Empty)} detected: ");
        builder.AppendJoin("; ", _errors);
        return new KinesisException(KinesisErrorCode.Validation, builder.ToString());
    }

    /// <summary>Renders a string value as Kinesis does: quoted, or the bare word null.</summary>
    public static string Render(string? value) => value is null ? "null" : "'" + value + "'";

    /// <summary>Renders an integer value.</summary>
    public static string Render(long value) => "'" + value.ToString(CultureInfo.InvariantCulture) + "'";

    /// <summary>Renders a blob the way the Java service prints a ByteBuffer.</summary>
    public static string RenderBlob(int length)
    {
        var text = length.ToString(CultureInfo.InvariantCulture);
        return "'java.nio.HeapByteBuffer[pos=0 lim=" + text + " cap=" + text + "]'";
    }
}
