using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Dispatch;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Security;
using KafkaKinesisBridge.Firehose;
using KafkaKinesisBridge.Firehose.Model;

namespace KafkaKinesisBridge.Api.Firehose;

/// <summary>
/// The Firehose API on the shared AWS JSON endpoint: <c>Firehose_20150804.&lt;Operation&gt;</c>
/// targets, signed for <c>firehose</c>, each operation read from the wire, run on
/// <see cref="FirehoseService"/>, and written back in Firehose's shapes (API reference, 2015-08-04).
/// The control plane is read with System.Text.Json (every Firehose SDK sends AWS JSON 1.1); the record
/// path with the shared document reader, which decodes blobs in place (and reads CBOR as well).
/// </summary>
internal sealed class FirehoseJsonService(FirehoseService firehose, AccessPolicy? policy = null) : IAwsJsonService
{
    /// <summary>PutRecordBatch: 4 MiB of data is 5.6 MiB of base64, plus 500 records' member names.</summary>
    public const int MaxPutRecordBatchBodyBytes = 6 * 1024 * 1024;

    /// <summary>PutRecord: 1,000 KiB of data is 1.34 MB of base64.</summary>
    public const int MaxPutRecordBodyBytes = 2 * 1024 * 1024;

    /// <summary>Every other request: names, a destination configuration, at most 50 tags.</summary>
    public const int MaxOtherBodyBytes = 1024 * 1024;

    public string TargetPrefix => FirehoseOperations.TargetPrefix;

    public string SigningName => FirehoseOperations.SigningName;

    public string DisplayName => "Firehose";

    public bool TryParseOperation(ReadOnlySpan<char> name, out int operation)
    {
        var found = FirehoseOperations.TryParse(name, out var parsed);
        operation = (int)parsed;
        return found;
    }

    public string GetOperationName(int operation) => ((FirehoseOperation)operation).ToString();

    public int MaxBodyBytesFor(int operation) => (FirehoseOperation)operation switch
    {
        FirehoseOperation.PutRecordBatch => MaxPutRecordBatchBodyBytes,
        FirehoseOperation.PutRecord => MaxPutRecordBodyBytes,
        _ => MaxOtherBodyBytes,
    };

    public async ValueTask<AwsJsonResult> InvokeAsync(AwsJsonRequest request)
    {
        var operation = (FirehoseOperation)request.Operation;
        var ct = request.HttpContext.RequestAborted;

        // The caller, for the access checks of the shared core (and of a Kinesis source stream).
        using var scope = AccessContext.Enter(policy is { IsEnforced: true } && request.AccessKeyId is { } key ? policy.FindPrincipal(key) : null);
        try
        {
            switch (operation)
            {
                case FirehoseOperation.PutRecord:
                case FirehoseOperation.PutRecordBatch:
                    await PutAsync(request, operation == FirehoseOperation.PutRecordBatch, ct);
                    break;
                case FirehoseOperation.CreateDeliveryStream:
                    var arn = await firehose.CreateDeliveryStreamAsync(Read(request, FirehoseJsonContext.Default.CreateDeliveryStreamRequest), ct);
                    Write(request, w => w.WriteString("DeliveryStreamARN"u8, arn));
                    break;
                case FirehoseOperation.UpdateDestination:
                    await firehose.UpdateDestinationAsync(Read(request, FirehoseJsonContext.Default.UpdateDestinationRequest), ct);
                    Write(request, static _ => { });
                    break;
                case FirehoseOperation.DescribeDeliveryStream:
                    var stream = await firehose.DescribeDeliveryStreamAsync(ReadSmall(request).DeliveryStreamName, ct);
                    Write(request, w => FirehoseWireWriter.WriteDescription(w, stream));
                    break;
                case FirehoseOperation.ListDeliveryStreams:
                    var list = ReadSmall(request);
                    var page = await firehose.ListDeliveryStreamsAsync(list.Limit, list.DeliveryStreamType, list.ExclusiveStartDeliveryStreamName, ct);
                    Write(request, w =>
                    {
                        w.WritePropertyName("DeliveryStreamNames"u8);
                        w.WriteStartArray();
                        foreach (var name in page.DeliveryStreamNames)
                        {
                            w.WriteStringValue(name);
                        }

                        w.WriteEndArray();
                        w.WriteBoolean("HasMoreDeliveryStreams"u8, page.HasMoreDeliveryStreams);
                    });
                    break;
                case FirehoseOperation.DeleteDeliveryStream:
                    await firehose.DeleteDeliveryStreamAsync(ReadSmall(request).DeliveryStreamName, ct);
                    Write(request, static _ => { });
                    break;
                case FirehoseOperation.TagDeliveryStream:
                    var tag = ReadSmall(request);
                    await firehose.TagDeliveryStreamAsync(tag.DeliveryStreamName, tag.Tags, ct);
                    Write(request, static _ => { });
                    break;
                case FirehoseOperation.UntagDeliveryStream:
                    var untag = ReadSmall(request);
                    await firehose.UntagDeliveryStreamAsync(untag.DeliveryStreamName, untag.TagKeys, ct);
                    Write(request, static _ => { });
                    break;
                case FirehoseOperation.ListTagsForDeliveryStream:
                    var listTags = ReadSmall(request);
                    var tags = await firehose.ListTagsForDeliveryStreamAsync(listTags.DeliveryStreamName, listTags.ExclusiveStartTagKey, listTags.Limit, ct);
                    Write(request, w =>
                    {
                        FirehoseWireWriter.WriteTags(w, "Tags"u8, tags.Tags);
                        w.WriteBoolean("HasMoreTags"u8, tags.HasMoreTags);
                    });
                    break;
                default:
                    return AwsJsonResult.Failure(KinesisWireErrors.UnknownOperation($"The operation {operation} is not supported by this gateway."));
            }

            return AwsJsonResult.Success;
        }
        catch (FirehoseException e)
        {
            return AwsJsonResult.Failure(new KinesisWireError(e.ErrorName, e.HttpStatusCode, e.Message));
        }
        catch (KinesisException e)
        {
            // From the Kinesis source stream's checks (AccessDeniedException, ResourceNotFound, ...).
            return AwsJsonResult.Failure(new KinesisWireError(e.ErrorName, e.HttpStatusCode, e.Message));
        }
    }

    private async ValueTask PutAsync(AwsJsonRequest request, bool batch, CancellationToken ct)
    {
        var (name, records) = ReadRecords(request, batch);
        FirehoseService.ValidateBatch(records.Span, batch);
        var results = await firehose.PutRecordsAsync(name, records, ct);
        if (!batch)
        {
            var result = results[0];
            if (result.ErrorCode is not null)
            {
                throw new FirehoseException(result.ErrorCode, result.ErrorMessage ?? string.Empty);
            }

            Write(request, w =>
            {
                w.WriteString("RecordId"u8, result.RecordId);
                w.WriteBoolean("Encrypted"u8, false);
            });
            return;
        }

        var failed = 0;
        foreach (var result in results)
        {
            failed += result.ErrorCode is null ? 0 : 1;
        }

        Write(request, w =>
        {
            w.WriteNumber("FailedPutCount"u8, failed);
            w.WriteBoolean("Encrypted"u8, false);
            w.WritePropertyName("RequestResponses"u8);
            w.WriteStartArray();
            foreach (var result in results)
            {
                w.WriteStartObject();
                if (result.ErrorCode is null)
                {
                    w.WriteString("RecordId"u8, result.RecordId);
                }
                else
                {
                    w.WriteString("ErrorCode"u8, result.ErrorCode);
                    w.WriteString("ErrorMessage"u8, result.ErrorMessage);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>PutRecord <c>{"DeliveryStreamName", "Record": {"Data"}}</c> or PutRecordBatch <c>{"DeliveryStreamName", "Records": [{"Data"}]}</c>.</summary>
    private static (string? Name, ReadOnlyMemory<ReadOnlyMemory<byte>> Records) ReadRecords(AwsJsonRequest request, bool batch)
    {
        var reader = request.CreateReader();
        string? name = null;
        var records = new List<ReadOnlyMemory<byte>>(batch ? 64 : 1);
        var sawRecords = false;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("DeliveryStreamName"u8))
            {
                name = reader.ReadString();
            }
            else if (batch && reader.PropertyNameEquals("Records"u8))
            {
                sawRecords = true;
                if (reader.ReadStartArray())
                {
                    while (reader.ReadArrayElement())
                    {
                        records.Add(ReadRecord(ref reader, "records.member.data"));
                    }
                }
            }
            else if (!batch && reader.PropertyNameEquals("Record"u8))
            {
                sawRecords = true;
                if (reader.ReadStartNestedObject())
                {
                    records.Add(ReadRecord(ref reader, "record.data", nested: true));
                }
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        if (name is null)
        {
            throw FirehoseErrors.Missing("deliveryStreamName");
        }

        if (!sawRecords || (!batch && records.Count == 0))
        {
            throw FirehoseErrors.Missing(batch ? "records" : "record");
        }

        return (name, records.ToArray());
    }

    private static ReadOnlyMemory<byte> ReadRecord(ref KinesisDocumentReader reader, string member, bool nested = false)
    {
        if (!nested && reader.TokenType != KinesisTokenType.StartObject)
        {
            KinesisSerializationException.Throw("Each record must be a structure.");
        }

        ReadOnlyMemory<byte>? data = null;
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("Data"u8))
            {
                data = reader.ReadBlob();
            }
            else
            {
                reader.SkipValue();
            }
        }

        return data ?? throw FirehoseErrors.Missing(member);
    }

    private static T Read<T>(AwsJsonRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        if (request.Format != KinesisWireFormat.Json)
        {
            KinesisSerializationException.Throw($"Firehose control-plane operations accept {KinesisContentTypes.Json}.");
        }

        return JsonSerializer.Deserialize(request.Body.Span, type) ?? throw new KinesisSerializationException("The request body must be a JSON object.");
    }

    private static FirehoseRequest ReadSmall(AwsJsonRequest request) => Read(request, FirehoseJsonContext.Default.FirehoseRequest);

    private static void Write(AwsJsonRequest request, Action<KinesisDocumentWriter> members)
    {
        using var writer = request.CreateWriter();
        writer.WriteStartObject();
        members(writer);
        writer.WriteEndObject();
        writer.Flush();
    }
}
