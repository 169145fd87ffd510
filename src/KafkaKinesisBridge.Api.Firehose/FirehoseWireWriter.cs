using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Firehose;
using KafkaKinesisBridge.Firehose.Model;

namespace KafkaKinesisBridge.Api.Firehose;

/// <summary>Writes Firehose's output shapes (API reference: DeliveryStreamDescription and its members).</summary>
internal static class FirehoseWireWriter
{
    /// <summary><c>"DeliveryStreamDescription": {...}</c>.</summary>
    public static void WriteDescription(KinesisDocumentWriter w, DeliveryStream stream)
    {
        w.WritePropertyName("DeliveryStreamDescription"u8);
        w.WriteStartObject();
        w.WriteString("DeliveryStreamName"u8, stream.Name);
        w.WriteString("DeliveryStreamARN"u8, stream.Arn);
        w.WriteString("DeliveryStreamStatus"u8, stream.Status.ToString());
        w.WritePropertyName("DeliveryStreamEncryptionConfiguration"u8);
        w.WriteStartObject();
        w.WriteString("Status"u8, "DISABLED");
        w.WriteEndObject();
        w.WriteString("DeliveryStreamType"u8, stream.Type.ToString());
        w.WriteString("VersionId"u8, stream.VersionId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteTimestamp("CreateTimestamp"u8, stream.CreatedAtMs);
        if (stream.VersionId > 1)
        {
            w.WriteTimestamp("LastUpdateTimestamp"u8, stream.UpdatedAtMs);
        }

        if (stream.Source is { } source)
        {
            w.WritePropertyName("Source"u8);
            w.WriteStartObject();
            w.WritePropertyName("KinesisStreamSourceDescription"u8);
            w.WriteStartObject();
            w.WriteString("KinesisStreamARN"u8, source.KinesisStreamARN);
            w.WriteString("RoleARN"u8, source.RoleARN);
            w.WriteTimestamp("DeliveryStartTimestamp"u8, source.DeliveryStartTimestampMs);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WritePropertyName("Destinations"u8);
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteString("DestinationId"u8, FirehoseService.DestinationId);

        // Firehose describes an extended destination both ways: the S3 view and the extended view.
        w.WritePropertyName("S3DestinationDescription"u8);
        WriteDestination(w, stream.Destination, extended: false);
        if (stream.Destination.Extended)
        {
            w.WritePropertyName("ExtendedS3DestinationDescription"u8);
            WriteDestination(w, stream.Destination, extended: true);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteBoolean("HasMoreDestinations"u8, false);
        w.WriteEndObject();
    }

    private static void WriteDestination(KinesisDocumentWriter w, S3Destination d, bool extended)
    {
        w.WriteStartObject();
        w.WriteString("RoleARN"u8, d.RoleARN);
        w.WriteString("BucketARN"u8, d.BucketARN);
        if (d.Prefix is not null)
        {
            w.WriteString("Prefix"u8, d.Prefix);
        }

        if (d.ErrorOutputPrefix is not null)
        {
            w.WriteString("ErrorOutputPrefix"u8, d.ErrorOutputPrefix);
        }

        w.WritePropertyName("BufferingHints"u8);
        w.WriteStartObject();
        w.WriteNumber("SizeInMBs"u8, d.SizeInMBs);
        w.WriteNumber("IntervalInSeconds"u8, d.IntervalInSeconds);
        w.WriteEndObject();
        w.WriteString("CompressionFormat"u8, d.CompressionFormat);
        w.WritePropertyName("EncryptionConfiguration"u8);
        w.WriteStartObject();
        w.WriteString("NoEncryptionConfig"u8, "NoEncryption");
        w.WriteEndObject();
        w.WritePropertyName("CloudWatchLoggingOptions"u8);
        w.WriteStartObject();
        w.WriteBoolean("Enabled"u8, false);
        w.WriteEndObject();
        if (!extended)
        {
            w.WriteEndObject();
            return;
        }

        w.WritePropertyName("ProcessingConfiguration"u8);
        w.WriteStartObject();
        w.WriteBoolean("Enabled"u8, d.ProcessingEnabled);
        w.WritePropertyName("Processors"u8);
        w.WriteStartArray();
        foreach (var processor in d.Processors)
        {
            w.WriteStartObject();
            w.WriteString("Type"u8, processor.Type);
            w.WritePropertyName("Parameters"u8);
            w.WriteStartArray();
            foreach (var (name, value) in processor.Parameters)
            {
                w.WriteStartObject();
                w.WriteString("ParameterName"u8, name);
                w.WriteString("ParameterValue"u8, value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteString("S3BackupMode"u8, "Disabled");
        if (d.FileExtension is not null)
        {
            w.WriteString("FileExtension"u8, d.FileExtension);
        }

        if (d.CustomTimeZone is not null)
        {
            w.WriteString("CustomTimeZone"u8, d.CustomTimeZone);
        }

        w.WriteEndObject();
    }

    /// <summary>A list of <c>{"Key", "Value"}</c>.</summary>
    public static void WriteTags(KinesisDocumentWriter w, ReadOnlySpan<byte> member, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        w.WritePropertyName(member);
        w.WriteStartArray();
        foreach (var (key, value) in tags)
        {
            w.WriteStartObject();
            w.WriteString("Key"u8, key);
            w.WriteString("Value"u8, value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
