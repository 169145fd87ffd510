using System.Buffers.Text;
using System.Globalization;

namespace KafkaKinesisBridge.Api.Aws.Serialization;

/// <summary>
/// Timestamps on the Kinesis wire, held as epoch milliseconds (Kinesis' precision).
/// </summary>
/// <remarks>
/// <para>AWS JSON 1.1: epoch seconds as a JSON number with a fractional part (the service model's
/// default <c>unixTimestamp</c> format). Kinesis answers in Java's double notation
/// (<c>1.506440188749E9</c>); the AWS SDK for JavaScript v3 sends <c>1712345678.123</c>; botocore
/// 1.29 sends whole seconds (<c>int(calendar.timegm(...))</c>), newer botocore keeps milliseconds.
/// This gateway reads all of these and writes plain decimals with three fractional digits
/// (<c>1712345678.123</c>), which botocore, the JS SDK (<c>parseEpochTimestamp</c>) and the Java SDK
/// (<c>DateUtils.parseUnixTimestampInstant</c>, a <c>BigDecimal</c> of at most 20 characters) all parse.</para>
/// <para>AWS CBOR 1.1: CBOR tag 1 followed by an INTEGER number of epoch MILLISECONDS. RFC 8949
/// §3.4.2 defines tag 1 as seconds, but AWS's CBOR protocol uses milliseconds: the AWS SDK for Java
/// v2 writes <c>tag(1) + instant.toEpochMilli()</c> (<c>SdkCborGenerator.writeValue(Instant)</c>)
/// and parses responses with <c>Long.parseLong</c> (<c>UNIX_TIMESTAMP_MILLIS</c> in
/// <c>AwsCborProtocolFactory.getDefaultTimestampFormats</c>), so a float there fails the client.
/// Known and kept for compatibility: aws/aws-sdk-java-v2#4661; LocalStack patches cbor2 the same
/// way (localstack/localstack#11133, #11286).</para>
/// </remarks>
public static class KinesisTimestamps
{
    /// <summary>Longest JSON text <see cref="TryFormatJsonSeconds"/> writes.</summary>
    public const int MaxJsonLength = 24;

    /// <summary>Writes <paramref name="epochMilliseconds"/> as epoch seconds with three decimals, e.g. <c>1712345678.123</c>.</summary>
    public static bool TryFormatJsonSeconds(long epochMilliseconds, Span<byte> destination, out int written)
    {
        written = 0;
        var negative = epochMilliseconds < 0;
        var magnitude = negative ? (ulong)-(epochMilliseconds + 1) + 1 : (ulong)epochMilliseconds;
        var seconds = magnitude / 1000;
        var millis = (int)(magnitude % 1000);
        var at = 0;
        if (negative)
        {
            if (destination.IsEmpty)
            {
                return false;
            }

            destination[at++] = (byte)'-';
        }

        if (!Utf8Formatter.TryFormat(seconds, destination[at..], out var n))
        {
            return false;
        }

        at += n;
        if (destination.Length - at < 4)
        {
            return false;
        }

        destination[at++] = (byte)'.';
        destination[at++] = (byte)('0' + (millis / 100));
        destination[at++] = (byte)('0' + (millis / 10 % 10));
        destination[at++] = (byte)('0' + (millis % 10));
        written = at;
        return true;
    }

    /// <summary>Epoch seconds (any JSON number form) to epoch milliseconds, truncating below a millisecond.</summary>
    public static bool TryFromSeconds(decimal seconds, out long epochMilliseconds)
    {
        epochMilliseconds = 0;
        var millis = decimal.Floor(seconds * 1000m);
        if (millis < long.MinValue || millis > long.MaxValue)
        {
            return false;
        }

        epochMilliseconds = (long)millis;
        return true;
    }

    /// <summary>A timestamp sent as a JSON string: a number of epoch seconds or an ISO 8601 date-time.</summary>
    public static bool TryParseString(string text, out long epochMilliseconds)
    {
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TryFromSeconds(seconds, out epochMilliseconds);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            epochMilliseconds = value.ToUnixTimeMilliseconds();
            return true;
        }

        epochMilliseconds = 0;
        return false;
    }
}
