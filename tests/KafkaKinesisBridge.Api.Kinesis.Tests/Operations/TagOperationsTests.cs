using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using static KafkaKinesisBridge.Api.Kinesis.Tests.Operations.WireDocuments;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Operations;

/// <summary>Tag operations, by stream name and by resource ARN, through real HTTP against the real core.</summary>
public sealed class TagOperationsTests
{
    public static TheoryData<KinesisWireFormat> Formats => [KinesisWireFormat.Json, KinesisWireFormat.Cbor];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task AddListRemoveTags_ByStreamName_ExactShapes(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "tagged");

        Assert.Null(await host.OkAsync(format, "AddTagsToStream", """{"StreamName":"tagged","Tags":{"b":"2","a":"1","c":""}}"""));
        var page = await host.OkAsync(format, "ListTagsForStream", """{"StreamName":"tagged","Limit":2}""");
        Assert.Equal(["HasMoreTags", "Tags"], SortedMembers(page));
        Assert.True((bool)page!["HasMoreTags"]!);
        Assert.Equal("""[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}]""", page["Tags"]!.ToJsonString());

        var rest = await host.OkAsync(format, "ListTagsForStream", """{"StreamName":"tagged","ExclusiveStartTagKey":"b"}""");
        Assert.False((bool)rest!["HasMoreTags"]!);
        Assert.Equal(["c"], rest["Tags"]!.AsArray().Select(t => (string)t!["Key"]!));

        Assert.Null(await host.OkAsync(format, "RemoveTagsFromStream", """{"StreamName":"tagged","TagKeys":["a","c","never-there"]}"""));
        var left = await host.OkAsync(format, "ListTagsForStream", $$"""{"StreamARN":"{{KinesisCoreHost.Arn("tagged")}}"}""");
        Assert.Equal("""[{"Key":"b","Value":"2"}]""", left!["Tags"]!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task TagUntagListTagsForResource_ByStreamArn(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "resource");
        var arn = KinesisCoreHost.Arn("resource");

        Assert.Null(await host.OkAsync(format, "TagResource", $$$"""{"ResourceARN":"{{{arn}}}","Tags":{"owner":"team-a","tier":"gold"}}"""));
        var listed = await host.OkAsync(format, "ListTagsForResource", $$"""{"ResourceARN":"{{arn}}"}""");
        Assert.Equal(["Tags"], Members(listed));
        Assert.Equal("""[{"Key":"owner","Value":"team-a"},{"Key":"tier","Value":"gold"}]""", listed!["Tags"]!.ToJsonString());

        Assert.Null(await host.OkAsync(format, "UntagResource", $$"""{"ResourceARN":"{{arn}}","TagKeys":["owner"]}"""));
        var byName = await host.OkAsync(format, "ListTagsForStream", """{"StreamName":"resource"}""");
        Assert.Equal("""[{"Key":"tier","Value":"gold"}]""", byName!["Tags"]!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task ListTagsForResource_MoreThanOnePage_ReturnsAll(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "many");
        var tags = string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"k{i:D2}\":\"v{i}\""));
        await host.OkAsync(format, "AddTagsToStream", "{\"StreamName\":\"many\",\"Tags\":{" + tags + "}}");
        var listed = await host.OkAsync(format, "ListTagsForResource", $$"""{"ResourceARN":"{{KinesisCoreHost.Arn("many")}}"}""");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"k{i:D2}"), listed!["Tags"]!.AsArray().Select(t => (string)t!["Key"]!));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task TagOperations_Errors_AsKinesis(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.ErrorAsync(format, "AddTagsToStream", """{"StreamName":"ghost","Tags":{"a":"1"}}""", "ResourceNotFoundException");
        await host.ErrorAsync(format, "ListTagsForResource", $$"""{"ResourceARN":"{{KinesisCoreHost.Arn("ghost")}}"}""", "ResourceNotFoundException");
        var message = await host.ErrorAsync(format, "ListTagsForResource", "{}", "ValidationException");
        Assert.Equal("1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null", message);
        await host.ErrorAsync(format, "TagResource", """{"ResourceARN":"arn:aws:s3:::bucket","Tags":{"a":"1"}}""", "ValidationException");
        await host.ErrorAsync(format, "AddTagsToStream", """{"StreamName":"ghost","Tags":{"a":1}}""", "SerializationException");
    }
}
