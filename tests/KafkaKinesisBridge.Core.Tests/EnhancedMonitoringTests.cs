using KafkaKinesisBridge.Core.Api;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests;

public sealed class EnhancedMonitoringTests
{
    public static TheoryData<string[]?, string> InvalidLists() => new()
    {
        { null, "Value null at 'shardLevelMetrics' failed to satisfy constraint: Member must not be null" },
        { [], "Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have length greater than or equal to 1" },
        { ["IncomingBytes", "IncomingBytes", "IncomingBytes", "IncomingBytes", "IncomingBytes", "IncomingBytes", "IncomingBytes", "IncomingBytes"], "Member must have length less than or equal to 7" },
        { ["incomingbytes"], "Member must satisfy enum value set: [IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]" },
    };

    [Theory]
    [MemberData(nameof(InvalidLists))]
    public async Task EnableEnhancedMonitoring_InvalidShardLevelMetrics_ValidationException(string[]? metrics, string expected)
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");

        var error = await Assert.ThrowsAsync<KinesisException>(async () =>
            await core.Service.EnableEnhancedMonitoringAsync(new EnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = metrics }, Token));

        Assert.Equal(KinesisErrorCode.Validation, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnableEnhancedMonitoring_NoStream_InvalidArgument()
    {
        var core = await StartAsync();

        var error = await Assert.ThrowsAsync<KinesisException>(async () =>
            await core.Service.EnableEnhancedMonitoringAsync(new EnhancedMonitoringRequest { ShardLevelMetrics = ["ALL"] }, Token));

        Assert.Equal(KinesisErrorCode.InvalidArgument, error.Code);
    }

    [Fact]
    public async Task EnableEnhancedMonitoring_UnknownStream_ResourceNotFound()
    {
        var core = await StartAsync();

        var error = await Assert.ThrowsAsync<KinesisException>(async () =>
            await core.Service.DisableEnhancedMonitoringAsync(new EnhancedMonitoringRequest { StreamName = "missing", ShardLevelMetrics = ["ALL"] }, Token));

        Assert.Equal(KinesisErrorCode.ResourceNotFound, error.Code);
    }

    [Fact]
    public async Task EnableThenDisable_All_ExpandsAndReportsCurrentAndDesired()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");

        var first = await core.Service.EnableEnhancedMonitoringAsync(new EnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["IncomingBytes"] }, Token);
        var all = await core.Service.EnableEnhancedMonitoringAsync(new EnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["ALL"] }, Token);
        var partly = await core.Service.DisableEnhancedMonitoringAsync(new EnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["IncomingBytes", "IteratorAgeMilliseconds"] }, Token);
        var described = await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" }, Token);

        Assert.Equal("s", first.StreamName);
        Assert.EndsWith(":stream/s", first.StreamARN, StringComparison.Ordinal);
        Assert.Empty(first.CurrentShardLevelMetrics);
        Assert.Equal(["IncomingBytes"], first.DesiredShardLevelMetrics);
        Assert.Equal(["IncomingBytes"], all.CurrentShardLevelMetrics);
        Assert.Equal(7, all.DesiredShardLevelMetrics.Count);
        Assert.Equal(["IncomingRecords", "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded"], partly.DesiredShardLevelMetrics);
        Assert.Equal(partly.DesiredShardLevelMetrics, Assert.Single(described.StreamDescriptionSummary.EnhancedMonitoring).ShardLevelMetrics);
    }

    [Fact]
    public async Task EnableEnhancedMonitoring_OtherReplica_SeesTheSetting()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var replica = await core.StartReplicaAsync();

        await core.Service.EnableEnhancedMonitoringAsync(new EnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["OutgoingRecords"] }, Token);
        var described = await replica.Service.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s" }, Token);

        Assert.Equal(["OutgoingRecords"], Assert.Single(described.StreamDescription.EnhancedMonitoring).ShardLevelMetrics);
    }
}
