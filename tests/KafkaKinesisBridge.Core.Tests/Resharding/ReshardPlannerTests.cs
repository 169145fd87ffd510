using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Routing;
using KafkaKinesisBridge.Core.Streams.Resharding;

namespace KafkaKinesisBridge.Core.Tests.Resharding;

/// <summary>
/// Properties of <see cref="ReshardPlanner"/> over random sequences of splits, merges and
/// UpdateShardCount calls: the open shards always tile [0, 2^128 - 1] exactly, every version passes
/// the catalog's own checks (<see cref="ShardLayout"/>), shard ids are never reused, and lineage
/// covers its children.
/// </summary>
public sealed class ReshardPlannerTests
{
    private const string Account = "000000000000";

    private static Config Quick => Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void RandomReshards_OpenShardsTileTheHashSpaceAndIdsAreNeverReused()
    {
        var steps = Gen.Choose(0, int.MaxValue).ArrayOf().Where(a => a.Length is > 0 and < 40);
        var initial = Gen.Choose(1, 8);
        Check.One(Quick, Prop.ForAll(initial.ToArbitrary(), steps.ToArbitrary(), (shards, choices) => RunSequence(shards, choices)));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(4, 8)]
    [InlineData(8, 4)]
    [InlineData(3, 5)]
    [InlineData(5, 3)]
    [InlineData(7, 13)]
    public void UniformScale_EndsWithTargetRangesOfANewStream(int from, int to)
    {
        var entry = Active(from);
        var plan = ReshardPlanner.UniformScale(entry, to, 1000);
        Settle(plan);

        Assert.Null(ShardLayout.Validate(plan.Next));
        Assert.Null(ShardLayout.ValidateTransition(entry, plan.Next));
        var open = plan.Next.Shards.Where(ShardLayout.IsRoutable).Select(Range).OrderBy(r => r.StartingHashKey).ToArray();
        Assert.Equal(HashKeys.Split(to), open);
    }

    [Fact]
    public void UniformScale_Doubling_OnlySplitsEveryShardOnce()
    {
        var plan = ReshardPlanner.UniformScale(Active(4), 8, 1000);

        Assert.Equal([0, 1, 2, 3], plan.Closing);
        Assert.Equal(8, plan.Added.Count);
        Assert.All(plan.Added, i => Assert.Null(plan.Next.Shards[i].AdjacentParentIndex));
    }

    [Fact]
    public void Split_HashKeyAtShardStart_InvalidArgument()
    {
        var error = Assert.Throws<KinesisException>(() => ReshardPlanner.Split(Active(2), "shardId-000000000001", UInt128.MaxValue / 2 + 1, Account, 1));

        Assert.Equal(KinesisErrorCode.InvalidArgument, error.Code);
        Assert.Contains("NewStartingHashKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_NotAdjacent_InvalidArgument()
    {
        var error = Assert.Throws<KinesisException>(() => ReshardPlanner.Merge(Active(3), "shardId-000000000000", "shardId-000000000002", Account, 1));

        Assert.Equal(KinesisErrorCode.InvalidArgument, error.Code);
        Assert.Contains("not an adjacent pair", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_ClosedShard_InvalidArgument()
    {
        var plan = ReshardPlanner.Split(Active(1), "shardId-000000000000", 10, Account, 1);
        Settle(plan);

        var error = Assert.Throws<KinesisException>(() => ReshardPlanner.Split(plan.Next, "shardId-000000000000", 5, Account, 2));

        Assert.Equal(KinesisErrorCode.InvalidArgument, error.Code);
        Assert.Contains("already been merged or split", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_UnknownShard_ResourceNotFound()
    {
        var error = Assert.Throws<KinesisException>(() => ReshardPlanner.Split(Active(1), "shardId-000000000009", 10, Account, 1));

        Assert.Equal(KinesisErrorCode.ResourceNotFound, error.Code);
    }

    [Fact]
    public void Validate_OverlappingOpenShards_Refused()
    {
        var entry = Active(2);
        entry.Shards[1].StartingHashKey = "5";

        Assert.NotNull(ShardLayout.Validate(entry));
    }

    [Fact]
    public void ValidateTransition_ReopenedOrRenumbered_Refused()
    {
        var before = Active(1);
        var plan = ReshardPlanner.Split(before, "shardId-000000000000", 10, Account, 1);
        Settle(plan);
        var reopened = plan.Next.Clone();
        reopened.Shards[0].ClosedAtMs = null;
        reopened.Shards[0].EndingOffset = null;
        var removed = plan.Next.Clone();
        removed.Shards.RemoveAt(2);

        Assert.NotNull(ShardLayout.ValidateTransition(plan.Next, reopened));
        Assert.NotNull(ShardLayout.ValidateTransition(plan.Next, removed));
    }

    private static bool RunSequence(int initialShards, int[] choices)
    {
        var entry = Active(initialShards);
        var now = 1000L;
        foreach (var choice in choices)
        {
            var open = entry.Shards.Where(ShardLayout.IsRoutable).OrderBy(s => Range(s).StartingHashKey).ToList();
            ReshardPlan? plan = null;
            switch (choice % 3)
            {
                case 0:
                    var toSplit = open[choice / 3 % open.Count];
                    var range = Range(toSplit);
                    if (range.StartingHashKey == range.EndingHashKey)
                    {
                        continue;
                    }

                    // A key strictly above the start, anywhere up to the end.
                    var width = range.EndingHashKey - range.StartingHashKey;
                    var offset = UInt128.One + ((UInt128)(uint)choice * 0x9E3779B97F4A7C15UL % width);
                    plan = ReshardPlanner.Split(entry, toSplit.Index.ToShardId(), range.StartingHashKey + offset, Account, ++now);
                    break;
                case 1 when open.Count > 1:
                    var left = choice / 3 % (open.Count - 1);
                    plan = ReshardPlanner.Merge(entry, open[left + 1].Index.ToShardId(), open[left].Index.ToShardId(), Account, ++now);
                    break;
                default:
                    var target = Math.Clamp(open.Count / 2 + (choice / 3 % (open.Count * 2)), Math.Max(1, (open.Count + 1) / 2), Math.Min(open.Count * 2, 64));
                    plan = ReshardPlanner.UniformScale(entry, target, ++now);
                    if (plan.Next.Shards.Count(ShardLayout.IsRoutable) != target)
                    {
                        return false;
                    }

                    break;
            }

            if (plan is null)
            {
                continue;
            }

            if (ShardLayout.Validate(plan.Next) is not null || ShardLayout.ValidateTransition(entry, plan.Next) is not null)
            {
                return false;
            }

            // Shard ids are indexes: only appended, and every added shard is new.
            if (plan.Added.Any(i => i < entry.Shards.Count) || plan.Closing.Any(i => i >= entry.Shards.Count))
            {
                return false;
            }

            Settle(plan);
            if (ShardLayout.Validate(plan.Next) is not null || ShardLayout.ValidateTransition(entry, plan.Next) is not null)
            {
                return false;
            }

            entry = plan.Next;
        }

        return true;
    }

    /// <summary>What the fence does: parents' ends fixed, stream ACTIVE.</summary>
    private static void Settle(ReshardPlan plan)
    {
        foreach (var index in plan.Closing)
        {
            plan.Next.Shards[index].EndingOffset = 7;
        }

        plan.Next.Status = StreamStatus.Active;
    }

    private static HashKeyRange Range(ShardEntry shard) => new(
        UInt128.Parse(shard.StartingHashKey, CultureInfo.InvariantCulture),
        UInt128.Parse(shard.EndingHashKey, CultureInfo.InvariantCulture));

    private static StreamEntry Active(int shards) => new()
    {
        Name = "s",
        Incarnation = 1,
        Status = StreamStatus.Active,
        Topic = "kinesis.s",
        MaxRecordSizeKiB = 1024,
        RetentionHours = 24,
        Shards = [.. HashKeys.Split(shards).Select((r, i) => new ShardEntry
        {
            Index = i,
            StartingHashKey = r.StartingHashKey.ToString(CultureInfo.InvariantCulture),
            EndingHashKey = r.EndingHashKey.ToString(CultureInfo.InvariantCulture),
        })],
    };
}

internal static class ShardIdExtensions
{
    public static string ToShardId(this int index) => ShardIds.Format(index);
}
