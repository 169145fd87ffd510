using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Security;

namespace KafkaKinesisBridge.Core.Tests.Security;

/// <summary>The core as the front doors see it with access enforced: each operation checked against the caller's key.</summary>
public sealed class AuthorizingStreamsServiceTests
{
    private static readonly AccessPrincipal Producer = AccessPrincipal.Create("PRODUCER", [new AccessPermission { Streams = "orders*", Actions = "read,write" }]);
    private static readonly AccessPrincipal Admin = AccessPrincipal.Unrestricted("ADMIN");

    private static CancellationToken Ct => CoreHarness.Token;

    [Fact]
    public async Task PutRecord_StreamOutsideThePattern_AccessDeniedBeforeTheCoreLooksItUp()
    {
        var (core, service) = await StartAsync();
        using var scope = AccessContext.Enter(Producer);

        var denied = await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.AccessDenied, async () =>
            await service.PutRecordAsync(new PutRecordRequest { StreamName = "payments", PartitionKey = "k", Data = new byte[] { 1 } }, Ct));
        Assert.Equal(
            "User: PRODUCER is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:000000000000:stream/payments because no permission of this access key allows the write action.",
            denied.Message);

        // The stream does not even exist: the answer is the same, so it tells nothing about existence.
        Assert.DoesNotContain("payments", (await core.Service.ListStreamsAsync(new ListStreamsRequest(), Ct)).StreamNames);
    }

    [Fact]
    public async Task ReadAndWrite_MatchingStream_Allowed_AdminRefused()
    {
        var (core, service) = await StartAsync();
        await core.CreateStreamAsync("orders-eu");
        using var scope = AccessContext.Enter(Producer);

        var put = await service.PutRecordAsync(new PutRecordRequest { StreamName = "orders-eu", PartitionKey = "k", Data = "x"u8.ToArray() }, Ct);
        var iterator = await service.GetShardIteratorAsync(
            new GetShardIteratorRequest { StreamName = "orders-eu", ShardId = put.ShardId, ShardIteratorType = ShardIteratorType.TrimHorizon }, Ct);
        using (var records = await service.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator.ShardIterator }, Ct))
        {
            Assert.Single(records.Records);
        }

        await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.AccessDenied, async () =>
            await service.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "orders-eu" }, Ct));
        await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.AccessDenied, async () =>
            await service.IncreaseStreamRetentionPeriodAsync(new UpdateStreamRetentionPeriodRequest { StreamName = "orders-eu", RetentionPeriodHours = 48 }, Ct));
        await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.AccessDenied, async () =>
            await service.CreateStreamAsync(new CreateStreamRequest { StreamName = "orders-new", ShardCount = 1 }, Ct));
    }

    [Fact]
    public async Task GetRecords_IteratorOfAForbiddenStream_AccessDenied()
    {
        var (core, service) = await StartAsync();
        await core.CreateStreamAsync("payments");
        var iterator = await core.IteratorAsync("payments", 0, ShardIteratorType.TrimHorizon);
        using var scope = AccessContext.Enter(Producer);

        await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.AccessDenied, async () =>
            await service.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }, Ct));
    }

    [Fact]
    public async Task NameAllowedButArnForbidden_AccessDenied()
    {
        var (core, service) = await StartAsync();
        await core.CreateStreamAsync("orders");
        using var scope = AccessContext.Enter(Producer);

        await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.AccessDenied, async () => await service.DescribeStreamSummaryAsync(
            new DescribeStreamSummaryRequest { StreamName = "orders", StreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/payments" }, Ct));
    }

    [Fact]
    public async Task ListShards_NextTokenOfAForbiddenStream_AccessDenied()
    {
        var (core, service) = await StartAsync();
        await core.CreateStreamAsync("payments", shards: 3);
        var first = await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "payments", MaxResults = 1 }, Ct);
        Assert.NotNull(first.NextToken);
        using var scope = AccessContext.Enter(Producer);

        await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.AccessDenied, async () =>
            await service.ListShardsAsync(new ListShardsRequest { NextToken = first.NextToken }, Ct));
    }

    [Fact]
    public async Task ListStreams_RestrictedKey_SeesOnlyStreamsItMayRead()
    {
        var (core, service) = await StartAsync();
        foreach (var name in new[] { "audit", "orders", "orders-eu", "payments" })
        {
            await core.CreateStreamAsync(name);
        }

        using (AccessContext.Enter(Producer))
        {
            var page = await service.ListStreamsAsync(new ListStreamsRequest(), Ct);
            Assert.Equal(["orders", "orders-eu"], page.StreamNames);
            Assert.Equal(["orders", "orders-eu"], page.StreamSummaries.Select(s => s.StreamName));
        }

        using (AccessContext.Enter(Admin))
        {
            Assert.Equal(4, (await service.ListStreamsAsync(new ListStreamsRequest(), Ct)).StreamNames.Count);
        }

        using (AccessContext.Enter(AccessPrincipal.Create("WRITER", [new AccessPermission { Streams = "*", Actions = "write" }])))
        {
            await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.AccessDenied, async () => await service.ListStreamsAsync(new ListStreamsRequest(), Ct));
            await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.AccessDenied, async () => await service.DescribeLimitsAsync(Ct));
        }
    }

    [Fact]
    public async Task NoPrincipal_EnforcedPolicy_AccessDenied()
    {
        var (_, service) = await StartAsync();
        Assert.Null(AccessContext.Current);
        await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.AccessDenied, async () => await service.ListStreamsAsync(new ListStreamsRequest(), Ct));
    }

    [Fact]
    public async Task NoStreamNamed_PassedOnForTheCoreToReject()
    {
        var (_, service) = await StartAsync();
        using var scope = AccessContext.Enter(Producer);
        await CoreHarness.ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, async () =>
            await service.PutRecordAsync(new PutRecordRequest { PartitionKey = "k", Data = new byte[] { 1 } }, Ct));
    }

    private static async Task<(CoreHarness Core, IStreamsService Service)> StartAsync()
    {
        var core = await CoreHarness.StartAsync();
        return (core, new AuthorizingStreamsService(core.Service));
    }
}
