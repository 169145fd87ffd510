using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.Firehose.Sink.Naming;

namespace KafkaKinesisBridge.Firehose.Sink.Tests;

public sealed class PrefixEvaluatorTests
{
    private static readonly DateTimeOffset Arrival = new(2018, 8, 27, 10, 30, 45, 123, TimeSpan.Zero);

    [Theory]
    [InlineData(null, "2018/08/27/10/")]
    [InlineData("", "2018/08/27/10/")]
    [InlineData("logs/", "logs/2018/08/27/10/")]
    [InlineData("myPrefix/!{timestamp:yyyy}/", "myPrefix/2018/")]
    [InlineData("dt=!{timestamp:yyyy'-'MM'-'dd}/h=!{timestamp:HH}/", "dt=2018-08-27/h=10/")]
    [InlineData("!{timestamp:yyyy-MM-dd'T'HH:mm:ss.SSS}/", "2018-08-27T10:30:45.123/")]
    [InlineData("!{timestamp:yy/M/d/D/h a}/", "18/8/27/239/10 AM/")]
    [InlineData("!{timestamp:MMM MMMM EEE EEEE}", "Aug August Mon Monday")]
    [InlineData("it''s/!{timestamp:'it''s'}", "it''s/it's")]
    [InlineData("r/!{firehose:random-string}/", "r/RANDOMSTRING/")]
    public void Evaluate_Prefix_MatchesFirehose(string? prefix, string expected)
    {
        Assert.True(PrefixEvaluator.TryCompile(prefix, isErrorPrefix: false, out var evaluator, out var error), error);
        Assert.Equal(expected, evaluator.Evaluate(Arrival, TimeZoneInfo.Utc, "RANDOMSTRING"));
    }

    [Theory]
    [InlineData(null, "delivery-failed/2018/08/27/10/")]
    [InlineData("errors/", "errors/delivery-failed/2018/08/27/10/")]
    [InlineData("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM}/", "errors/delivery-failed/2018/08/")]
    public void Evaluate_ErrorPrefix_PutsTheErrorType(string? prefix, string expected)
    {
        Assert.True(PrefixEvaluator.TryCompile(prefix, isErrorPrefix: true, out var evaluator, out var error), error);
        Assert.Equal(expected, evaluator.Evaluate(Arrival, TimeZoneInfo.Utc, "x", "delivery-failed"));
    }

    [Fact]
    public void Evaluate_CustomTimeZone_UsesLocalTime()
    {
        Assert.True(PrefixEvaluator.TryFindTimeZone("Asia/Tokyo", out var tokyo));
        Assert.True(PrefixEvaluator.TryCompile(null, false, out var evaluator, out _));
        Assert.Equal("2018/08/27/19/", evaluator.Evaluate(Arrival, tokyo, "x"));
        Assert.Equal(
            "2018/08/27/19/orders-3-2018-08-27-19-30-45-abc.gz",
            PrefixEvaluator.BuildKey("2018/08/27/19/", "orders", 3, Arrival, tokyo, "abc", ".gz"));
    }

    [Theory]
    [InlineData("a/!{firehose:error-output-type}/", null, "only in ErrorOutputPrefix")]
    [InlineData("a/!{timestamp:yyyy}/", null, "ErrorOutputPrefix cannot be null or empty")]
    [InlineData("a/!{timestamp:yyyy}/", "", "ErrorOutputPrefix cannot be null or empty")]
    [InlineData("a/!{nope:x}/", "e/", "Unknown namespace")]
    [InlineData("a/!{firehose:uuid}/", "e/", "Unknown firehose expression")]
    [InlineData("a/!{timestamp:yyyy/", "e/", "Unterminated")]
    [InlineData("a/!{timestamp:}/", "e/", "needs a pattern")]
    [InlineData("a/!{timestamp:yyyy-QQ}/", "e/", "not supported")]
    [InlineData("a/!{timestamp:MMMMMM}/", "e/", "Too many")]
    [InlineData("a/!{timestamp:'open}/", "e/", "Unterminated quote")]
    [InlineData("a/!{partitionKeyFromQuery:id}/", "e/", "Dynamic partitioning")]
    [InlineData(null, "e/!{timestamp:zz}", "ErrorOutputPrefix: Pattern letter")]
    public void ValidatePrefixes_Invalid_SaysWhy(string? prefix, string? errorPrefix, string reason)
    {
        var error = PrefixEvaluator.ValidatePrefixes(prefix, errorPrefix);
        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidatePrefixes_TooLong_Refused() =>
        Assert.Contains("longer than 1024", PrefixEvaluator.ValidatePrefixes(new string('a', 1025), null), StringComparison.Ordinal);

    [Fact]
    public void ObjectIdentity_SamePosition_SameNames_OtherPosition_OtherNames()
    {
        var first = ObjectIdentity.For("orders", "topic", 1, 100);
        Assert.Equal(first, ObjectIdentity.For("orders", "topic", 1, 100));
        Assert.NotEqual(first.Id, ObjectIdentity.For("orders", "topic", 1, 101).Id);
        Assert.NotEqual(first.Id, ObjectIdentity.For("orders", "topic", 2, 100).Id);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", first.Id);
        Assert.Matches("^[A-Za-z0-9]{11}$", first.RandomString);
    }

    [Theory]
    [InlineData(0, 5, "SizeInMBs")]
    [InlineData(129, 5, "SizeInMBs")]
    [InlineData(5, -1, "IntervalInSeconds")]
    [InlineData(5, 901, "IntervalInSeconds")]
    public void Validate_BufferingHintsOutOfRange_Refused(int size, int interval, string reason)
    {
        var destination = new SinkDestination { Bucket = "bucket", BufferSizeInMBs = size, BufferIntervalInSeconds = interval };
        Assert.Contains(reason, SinkDestinationValidator.Validate(destination), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bad_Bucket", null, null, "Bucket")]
    [InlineData("bucket", "gz", null, "FileExtension")]
    [InlineData("bucket", null, "Mars/Olympus", "CustomTimeZone")]
    public void Validate_BadDestination_Refused(string bucket, string? extension, string? zone, string reason)
    {
        var destination = new SinkDestination { Bucket = bucket, FileExtension = extension, CustomTimeZone = zone };
        Assert.Contains(reason, SinkDestinationValidator.Validate(destination), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GoodDestination_Null() =>
        Assert.Null(SinkDestinationValidator.Validate(new SinkDeliveryStream(
            "orders-1", 1, new SinkSourceSpec(SinkSourceKind.DirectPut, "t"),
            new SinkDestination { Bucket = "my-bucket", FileExtension = ".json.gz", CustomTimeZone = "Asia/Tokyo", Prefix = "p/!{timestamp:yyyy}/", ErrorOutputPrefix = "e/!{firehose:error-output-type}/" })));
}
