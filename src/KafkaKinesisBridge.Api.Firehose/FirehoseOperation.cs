using System.Collections.Frozen;
using System.Text.Json.Serialization;
using KafkaKinesisBridge.Firehose.Model;

namespace KafkaKinesisBridge.Api.Firehose;

/// <summary>
/// The Firehose operations (API version 2015-08-04) this door recognizes, as named in
/// <c>X-Amz-Target: Firehose_20150804.&lt;Operation&gt;</c> (service model, botocore
/// firehose/2015-08-04). Recognized but not served: answered UnknownOperationException "not supported".
/// </summary>
public enum FirehoseOperation
{
    CreateDeliveryStream,
    DeleteDeliveryStream,
    DescribeDeliveryStream,
    ListDeliveryStreams,
    ListTagsForDeliveryStream,
    PutRecord,
    PutRecordBatch,
    StartDeliveryStreamEncryption,
    StopDeliveryStreamEncryption,
    TagDeliveryStream,
    UntagDeliveryStream,
    UpdateDestination,
}

/// <summary>Names of <see cref="FirehoseOperation"/>s.</summary>
public static class FirehoseOperations
{
    /// <summary>The API version prefix of every Firehose target.</summary>
    public const string TargetPrefix = "Firehose_20150804";

    /// <summary>The SigV4 signing name (credential scope service) of Firehose.</summary>
    public const string SigningName = "firehose";

    private static readonly FrozenDictionary<string, FirehoseOperation>.AlternateLookup<ReadOnlySpan<char>> ByName =
        Enum.GetValues<FirehoseOperation>().ToFrozenDictionary(o => o.ToString(), StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Looks up an operation by name.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out FirehoseOperation operation) => ByName.TryGetValue(name, out operation);
}

/// <summary>The members of the smaller Firehose requests (one shape for all: each reads the ones it has).</summary>
internal sealed class FirehoseRequest
{
    public string? DeliveryStreamName { get; set; }

    public int? Limit { get; set; }

    public string? DeliveryStreamType { get; set; }

    public string? ExclusiveStartDeliveryStreamName { get; set; }

    public string? ExclusiveStartTagKey { get; set; }

    public string? ExclusiveStartDestinationId { get; set; }

    public bool? AllowForceDelete { get; set; }

    public List<TagEntry>? Tags { get; set; }

    public List<string>? TagKeys { get; set; }
}

/// <summary>System.Text.Json source generation for the control-plane requests.</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(FirehoseRequest))]
[JsonSerializable(typeof(CreateDeliveryStreamRequest))]
[JsonSerializable(typeof(UpdateDestinationRequest))]
internal sealed partial class FirehoseJsonContext : JsonSerializerContext;
