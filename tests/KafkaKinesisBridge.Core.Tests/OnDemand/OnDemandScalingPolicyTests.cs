using FsCheck;
using FsCheck.Fluent;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Routing;
using KafkaKinesisBridge.Core.Streams.OnDemand;

namespace KafkaKinesisBridge.Core.Tests.OnDemand;

public sealed class OnDemandScalingPolicyTests
{
    private const long Now = 10_000_000;

    private static readonly OnDemandScalingOptions Options = new()
    {
        SplitWindow = TimeSpan.FromSeconds(60),
        MergeWindow = TimeSpan.FromMinutes(15),
        Cooldown = TimeSpan.FromSeconds(30),
        MinShardCount = 4,
        MaxShardCount = 8,
    };

    public static TheoryData<string, long?[], long?[], long?, string> Cases => new()
    {
        // name, hot since (per shard, s ago), cold since (s ago), last reshard (s ago), expected
        { "all quiet", [null, null, null, null], [null, null, null, null], null, "none" },
        { "hot long enough", [null, 61, null, null], [null, null, null, null], null, "split 1" },
        { "hot too briefly", [null, 59, null, null], [null, null, null, null], null, "none" },
        { "hottest first", [70, 90, null, 65], [null, null, null, null], null, "split 1" },
        { "within cooldown", [null, 600, null, null], [null, null, null, null], 29, "none" },
        { "after cooldown", [null, 600, null, null], [null, null, null, null], 31, "split 1" },
        { "cold at the minimum", [null, null, null, null], [1000, 1000, 1000, 1000], null, "none" },
        { "cold pair above minimum", [null, null, null, null, null], [1000, 901, 10, 1000, 1000], null, "merge 3+4" },
        { "cold pair too briefly", [null, null, null, null, null], [899, 950, null, 899, 100], null, "none" },
        { "split beats merge", [null, null, null, null, 61], [1000, 1000, null, null, null], null, "split 4" },
        { "at the maximum", [61, 61, 61, 61, 61, 61, 61, 61], [null, null, null, null, null, null, null, null], null, "none" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_Table_Expected(string name, long?[] hotSecondsAgo, long?[] coldSecondsAgo, long? lastReshardSecondsAgo, string expected)
    {
        var ranges = HashKeys.Split(hotSecondsAgo.Length);
        var loads = ranges.Select((r, i) => new ShardLoad(i, r, Ago(hotSecondsAgo[i]), Ago(coldSecondsAgo[i]))).ToArray();

        var decision = OnDemandScalingPolicy.Decide(Options, Now, StreamStatus.Active, Ago(lastReshardSecondsAgo), loads);

        Assert.True(expected == Describe(decision), $"{name}: expected {expected}, got {Describe(decision)}");
    }

    [Fact]
    public void Decide_StreamNotActive_None()
    {
        var loads = HashKeys.Split(4).Select((r, i) => new ShardLoad(i, r, Now - 600_000, null)).ToArray();

        Assert.Equal(ScalingDecision.None, OnDemandScalingPolicy.Decide(Options, Now, StreamStatus.Updating, null, loads));
    }

    [Fact]
    public void Decide_OneKeyShard_NeverSplit()
    {
        var loads = new[] { new ShardLoad(0, new HashKeyRange(5, 5), Now - 600_000, null) };

        Assert.Equal(ScalingDecision.None, OnDemandScalingPolicy.Decide(Options, Now, StreamStatus.Active, null, loads));
    }

    [Fact]
    public void Decide_AnyLoad_DecisionRespectsLimitsAndKeepsTheSpaceTiled()
    {
        var shardStates = Gen.Elements<long?>(null, null, 0, 30_000, 61_000, 900_000, 2_000_000);
        var cases =
            from count in Gen.Choose(1, 24)
            from min in Gen.Choose(1, 6)
            from extra in Gen.Choose(0, 20)
            from hot in Gen.ArrayOf(shardStates, count)
            from cold in Gen.ArrayOf(shardStates, count)
            select (count, min, max: min + extra, hot, cold);
        Prop.ForAll(Arb.From(cases), c =>
        {
            var options = new OnDemandScalingOptions { MinShardCount = c.min, MaxShardCount = c.max, Cooldown = TimeSpan.Zero };
            var loads = HashKeys.Split(c.count).Select((r, i) => new ShardLoad(i, r, Ago(c.hot[i], 1), Ago(c.cold[i], 1))).ToList();
            var decision = OnDemandScalingPolicy.Decide(options, Now, StreamStatus.Active, null, loads);
            var layout = Apply(loads.Select(l => l.Range).ToList(), decision);
            return decision.Kind switch
            {
                ScalingActionKind.Split => c.count < c.max
                    && Now - loads[decision.ShardIndex].HotSinceMs >= options.SplitWindow.TotalMilliseconds
                    && Tiles(layout) && layout.Count == c.count + 1,
                ScalingActionKind.Merge => c.count > c.min
                    && loads[decision.ShardIndex].Range.EndingHashKey + 1 == loads[decision.AdjacentShardIndex].Range.StartingHashKey
                    && Now - loads[decision.ShardIndex].ColdSinceMs >= options.MergeWindow.TotalMilliseconds
                    && Now - loads[decision.AdjacentShardIndex].ColdSinceMs >= options.MergeWindow.TotalMilliseconds
                    && Tiles(layout) && layout.Count == c.count - 1,
                _ => true,
            };
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Decide_SustainedHeatOrCold_StaysWithinMinAndMax()
    {
        Prop.ForAll(Arb.From(Gen.Choose(1, 6).SelectMany(min => Gen.Choose(min, 16).Select(max => (min, max)))), bounds =>
        {
            var options = new OnDemandScalingOptions { MinShardCount = bounds.min, MaxShardCount = bounds.max, Cooldown = TimeSpan.Zero };
            var layout = HashKeys.Split(bounds.min).ToList();
            var peak = 0;
            for (var step = 0; step < 40; step++)
            {
                var loads = layout.Select((r, i) => new ShardLoad(i, r, 0, null)).ToList();
                layout = Apply(layout, OnDemandScalingPolicy.Decide(options, Now, StreamStatus.Active, null, loads));
                peak = Math.Max(peak, layout.Count);
            }

            var trough = int.MaxValue;
            for (var step = 0; step < 40; step++)
            {
                var loads = layout.Select((r, i) => new ShardLoad(i, r, null, 0)).ToList();
                layout = Apply(layout, OnDemandScalingPolicy.Decide(options, Now, StreamStatus.Active, null, loads));
                trough = Math.Min(trough, layout.Count);
            }

            return peak == bounds.max && trough == bounds.min && Tiles(layout);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Observe_SustainedDemand_HotSinceTheFirstHotInterval()
    {
        var options = new OnDemandScalingOptions();
        var tracker = new ShardLoadTracker();

        tracker.Observe(0, 0, 0, 1000, 100, options);
        tracker.Observe(1000, 800, 10, 1000, 100, options);
        tracker.Observe(2000, 1600, 20, 1000, 100, options);
        Assert.Equal(0, tracker.HotSinceMs);
        Assert.Null(tracker.ColdSinceMs);
        Assert.Equal(0.8, tracker.LastShare, 3);

        tracker.Observe(3000, 1650, 30, 1000, 100, options);
        Assert.Null(tracker.HotSinceMs);
        Assert.Equal(2000, tracker.ColdSinceMs);

        // Records count as much as bytes: 90 records/s of 100 is hot.
        tracker.Observe(4000, 1650, 120, 1000, 100, options);
        Assert.Equal(3000, tracker.HotSinceMs);
        Assert.Null(tracker.ColdSinceMs);
    }

    private static long? Ago(long? seconds) => seconds is { } s ? Now - (s * 1000) : null;

    private static long? Ago(long? ms, int unit) => ms is { } m ? Now - (m * unit) : null;

    private static string Describe(ScalingDecision d) => d.Kind switch
    {
        ScalingActionKind.Split => $"split {d.ShardIndex}",
        ScalingActionKind.Merge => $"merge {d.ShardIndex}+{d.AdjacentShardIndex}",
        _ => "none",
    };

    /// <summary>The open ranges after a decision (by position: shard index = position in the list).</summary>
    private static List<HashKeyRange> Apply(List<HashKeyRange> layout, ScalingDecision decision)
    {
        var result = new List<HashKeyRange>(layout);
        switch (decision.Kind)
        {
            case ScalingActionKind.Split:
                var parent = result[decision.ShardIndex];
                result[decision.ShardIndex] = new HashKeyRange(parent.StartingHashKey, decision.NewStartingHashKey - 1);
                result.Insert(decision.ShardIndex + 1, new HashKeyRange(decision.NewStartingHashKey, parent.EndingHashKey));
                break;
            case ScalingActionKind.Merge:
                var (lower, upper) = (result[decision.ShardIndex], result[decision.AdjacentShardIndex]);
                result[decision.ShardIndex] = new HashKeyRange(lower.StartingHashKey, upper.EndingHashKey);
                result.RemoveAt(decision.AdjacentShardIndex);
                break;
        }

        return result;
    }

    private static bool Tiles(List<HashKeyRange> layout)
    {
        var ordered = layout.OrderBy(r => r.StartingHashKey).ToList();
        if (ordered[0].StartingHashKey != UInt128.Zero || ordered[^1].EndingHashKey != UInt128.MaxValue)
        {
            return false;
        }

        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].StartingHashKey > ordered[i].EndingHashKey || (i > 0 && ordered[i - 1].EndingHashKey + 1 != ordered[i].StartingHashKey))
            {
                return false;
            }
        }

        return true;
    }
}
