using System.Text;
using System.Text.RegularExpressions;
using KafkaKinesisBridge.Api.Aws.Dispatch;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Aws.Validation;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Validation;

/// <summary>
/// The shape validator against the generated Kinesis and Firehose tables: Coral's serialization
/// texts for mistyped values, and every violated constraint in one ValidationException, in the
/// order and words recorded against Kinesis (kinesalite's tests).
/// </summary>
public sealed class ShapeValidatorTests
{
    [Theory]
    [InlineData("kinesis")]
    [InlineData("firehose")]
    public void Load_GeneratedTables_EveryPatternCompilesAndEveryInputResolves(string service)
    {
        var shapes = ServiceShapes.Load(service);

        Assert.NotEmpty(shapes.Operations);
        foreach (var operation in shapes.Operations)
        {
            Assert.Equal(ShapeKind.Structure, shapes.FindInput(operation)!.Kind);
        }

        foreach (var shape in shapes.Shapes.Values.Where(s => s.Pattern is not null))
        {
            _ = new Regex(Shape.ToDotNetPattern(shape.Pattern!), RegexOptions.CultureInvariant);
        }
    }

    [Fact]
    public void Validate_ValidPutRecord_Null()
    {
        Assert.Null(Kinesis("PutRecord", """{"StreamName":"s","PartitionKey":"k","Data":"AAAA","ExplicitHashKey":"12","Unknown":[1,{"a":true}]}"""));
    }

    [Theory]
    [InlineData("""{"StreamName":12}""", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String")]
    [InlineData("""{"StreamName":true}""", "class java.lang.Boolean can not be converted to an String")]
    [InlineData("""{"StreamName":["a"]}""", "Start of list found where not expected")]
    [InlineData("""{"StreamName":{"a":1}}""", "Start of structure or map found where not expected.")]
    [InlineData("""{"StreamName":"s","Tags":["a"]}""", "Start of list found where not expected")]
    [InlineData("""{"StreamName":"s","Tags":"a"}""", "Expected map or null")]
    [InlineData("""{"StreamName":"s","Tags":{"a":1}}""", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String")]
    public void Validate_AddTagsToStreamWrongType_SerializationWithCoralText(string body, string message)
    {
        var error = Kinesis("AddTagsToStream", body);

        Assert.Equal(("SerializationException", 400, message), (error!.Value.Type, error.Value.StatusCode, error.Value.Message));
    }

    [Theory]
    [InlineData("RemoveTagsFromStream", """{"TagKeys":"a"}""", "Expected list or null")]
    [InlineData("ListStreams", """{"Limit":"5"}""", "class java.lang.String can not be converted to an Integer")]
    [InlineData("ListStreams", """{"Limit":false}""", "class java.lang.Boolean can not be converted to an Integer")]
    [InlineData("CreateStream", """{"StreamName":"s","StreamModeDetails":"x"}""", "Expected null")]
    [InlineData("PutRecord", """{"Data":"23456"}""", "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5")]
    [InlineData("PutRecord", """{"Data":"AA=A"}""", "'AA=A' can not be converted to a Blob: Invalid Base64 character: '='")]
    [InlineData("PutRecord", """{"Data":"AA*A"}""", "'AA*A' can not be converted to a Blob: Invalid Base64 character: '*'")]
    [InlineData("PutRecord", """{"Data":"YR=="}""", "'YR==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected")]
    [InlineData("PutRecord", """{"Data":12}""", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob")]
    [InlineData("GetShardIterator", """{"Timestamp":"2024-01-01"}""", "class java.lang.String can not be converted to milliseconds since epoch")]
    [InlineData("EnableEnhancedMonitoring", """{"ShardLevelMetrics":[1]}""", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String")]
    public void Validate_WrongType_SerializationWithCoralText(string operation, string body, string message)
    {
        Assert.Equal(KinesisWireErrors.Serialization(message), Kinesis(operation, body));
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("""{"StreamName":"s" """)]
    [InlineData("[]")]
    [InlineData("null")]
    public void Validate_MalformedBody_SerializationWithoutMessage(string body)
    {
        Assert.Equal(KinesisWireErrors.Serialization(), Kinesis("ListStreams", body));
    }

    [Fact]
    public void Validate_AddTagsToStreamEmpty_TagsMustNotBeNull()
    {
        AssertValidation(
            "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
            Kinesis("AddTagsToStream", "{}"));
    }

    [Fact]
    public void Validate_PutRecordManyViolations_AllInServiceOrder()
    {
        var error = Kinesis("PutRecord", """{"StreamName":"a b","PartitionKey":"","ExplicitHashKey":"x","SequenceNumberForOrdering":"01"}""");

        AssertValidation(
            "5 validation errors detected: "
            + "Value '01' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128}); "
            + "Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; "
            + "Value 'x' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); "
            + "Value null at 'data' failed to satisfy constraint: Member must not be null; "
            + "Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            error);
    }

    [Fact]
    public void Validate_PutRecordsBadEntries_PathsNameTheEntry()
    {
        var error = Kinesis("PutRecords", """{"StreamName":"s","Records":[{"PartitionKey":"k","Data":"AAAA"},{"Data":"AAAA","ExplicitHashKey":"-1"}]}""");

        AssertValidation(
            "2 validation errors detected: "
            + "Value null at 'records.2.member.partitionKey' failed to satisfy constraint: Member must not be null; "
            + "Value '-1' at 'records.2.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
            error);
    }

    [Fact]
    public void Validate_TooManyTagsAndBadKey_BothReported()
    {
        var tags = string.Join(",", Enumerable.Range(0, 201).Select(i => $"\"k{i}\":\"v\"")) + ",\"\":\"v\"";
        var error = Kinesis("AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":{" + tags + "}}");

        Assert.Equal("ValidationException", error!.Value.Type);
        Assert.StartsWith("2 validation errors detected: Value '{k0=v, k1=v, ", error.Value.Message, StringComparison.Ordinal);
        Assert.Contains("' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200; Value '{", error.Value.Message, StringComparison.Ordinal);
        Assert.EndsWith("' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]", error.Value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ListElementsViolate_ReportedOnceAtTheList()
    {
        AssertValidation(
            "1 validation error detected: Value '[IncomingBytes, Nope]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]",
            Kinesis("EnableEnhancedMonitoring", """{"StreamName":"s","ShardLevelMetrics":["IncomingBytes","Nope"]}"""));
    }

    [Fact]
    public void Validate_NumbersTruncatedThenRanged_ValueTexts()
    {
        Assert.Null(Kinesis("ListStreams", """{"Limit":1.9}"""));
        AssertValidation(
            "3 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; "
            + "Value '' at 'exclusiveStartStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
            + "Value '' at 'exclusiveStartStreamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
            Kinesis("ListStreams", """{"Limit":0.5,"ExclusiveStartStreamName":""}"""));
    }

    [Fact]
    public void Validate_BlobTooShortOrLong_RenderedAsJavaByteBuffer()
    {
        // Firehose Record.Data: blob of 0..1,024,000 bytes; a 1,024,003-byte blob is too long.
        var data = Convert.ToBase64String(new byte[1_024_003]);
        var error = Validate(ServiceShapes.Firehose, "PutRecord", KinesisWireFormat.Json, "{\"DeliveryStreamName\":\"d\",\"Record\":{\"Data\":\"" + data + "\"}}");

        AssertValidation(
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1024003 cap=1024003]' at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000",
            error);
    }

    [Fact]
    public void Validate_501Records_ListRenderedAsModelObjects()
    {
        var records = string.Join(",", Enumerable.Range(0, 501).Select(_ => """{"PartitionKey":"k","Data":"AAAA"}"""));
        var error = Kinesis("PutRecords", "{\"StreamName\":\"s\",\"Records\":[" + records + "]}");

        Assert.Equal("ValidationException", error!.Value.Type);
        Assert.StartsWith(
            "1 validation error detected: Value '[PutRecordsRequestEntry(partitionKey=k, data=java.nio.HeapByteBuffer[pos=0 lim=3 cap=3], explicitHashKey=null), ",
            error.Value.Message,
            StringComparison.Ordinal);
        Assert.EndsWith("]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500", error.Value.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KinesisWireFormat.Json)]
    [InlineData(KinesisWireFormat.Cbor)]
    public void Validate_PutRecords500Records_ValidWithinAllocationBudget(KinesisWireFormat format)
    {
        var body = Wire.HotPathTests.BuildPutRecords(format, 500, 10 * 1024);
        var input = ServiceShapes.Kinesis.FindInput("PutRecords")!;
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(ShapeValidator.Validate(input, format, body));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(ShapeValidator.Validate(input, format, body));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A value tree of 500 entries (partition keys, blob lengths, member arrays): about 250 KB
        // (measured 248,040 bytes for both encodings). The record data (5 MiB) is measured, never
        // copied; CBOR reads a pooled copy of the body.
        Assert.True(allocated < 384 * 1024, $"validating 500 records allocated {allocated} bytes");
    }

    [Fact]
    public void Validate_MoreThanTenViolations_TenReported()
    {
        var records = string.Join(",", Enumerable.Range(0, 12).Select(_ => "{}"));
        var error = Kinesis("PutRecords", "{\"Records\":[" + records + "]}");

        Assert.StartsWith("10 validation errors detected: Value null at 'records.1.member.partitionKey' failed", error!.Value.Message, StringComparison.Ordinal);
        Assert.Equal(10, Regex.Count(error.Value.Message!, "failed to satisfy constraint"));
    }

    [Fact]
    public void Validate_Cbor_SameChecksAndBodyUnchanged()
    {
        using var output = new PooledSegmentWriter();
        using (var writer = new KinesisDocumentWriter(KinesisWireFormat.Cbor, output))
        {
            writer.WriteStartObject();
            writer.WriteString("StreamName"u8, "a b");
            writer.WriteString("PartitionKey"u8, "k");
            writer.WritePropertyName("Data"u8);
            writer.WriteBlobValue(new byte[3]);
            writer.WriteEndObject();
            writer.Flush();
        }

        var body = output.ToArray();
        var before = body.ToArray();

        AssertValidation(
            "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            ServiceShapes.Kinesis.FindInput("PutRecord") is { } input ? ShapeValidator.Validate(input, KinesisWireFormat.Cbor, body) : null);
        Assert.Equal(before, body);
    }

    private static KinesisWireError? Kinesis(string operation, string body) => Validate(ServiceShapes.Kinesis, operation, KinesisWireFormat.Json, body);

    private static KinesisWireError? Validate(ServiceShapes shapes, string operation, KinesisWireFormat format, string body) =>
        ShapeValidator.Validate(shapes.FindInput(operation)!, format, Encoding.UTF8.GetBytes(body));

    private static void AssertValidation(string message, KinesisWireError? error)
    {
        Assert.NotNull(error);
        Assert.Equal(("ValidationException", 400, message), (error.Value.Type, error.Value.StatusCode, error.Value.Message));
    }
}
