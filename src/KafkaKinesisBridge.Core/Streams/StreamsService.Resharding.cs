using System.Globalization;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Routing;
using KafkaKinesisBridge.Core.Streams.Resharding;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Streams;

// Resharding: SplitShard, MergeShards, UpdateShardCount (issue 9). The planning is pure
// (ReshardPlanner), the execution and the fence are the Resharder's; this file checks requests and
// the Kinesis limits.
public sealed partial class StreamsService
{
    private readonly object _reshardRateGate = new();
    private readonly Dictionary<string, Queue<long>> _scalingCalls = new(StringComparer.Ordinal);
    private double _splitMergeTokens = -1;
    private long _splitMergeRefilledMs;

    /// <inheritdoc />
    public async ValueTask SplitShardAsync(SplitShardRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        Constraints.Name(ref errors, request.ShardToSplit, "shardToSplit", required: true, Constraints.MaxShardIdLength);
        Constraints.Required(ref errors, request.NewStartingHashKey, "newStartingHashKey");
        Constraints.HashKey(ref errors, request.NewStartingHashKey, "newStartingHashKey");
        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        if (!HashKeys.TryParse(request.NewStartingHashKey, out var newStart))
        {
            Errors.InvalidArgument($"NewStartingHashKey {request.NewStartingHashKey} used in SplitShard() on shard {request.ShardToSplit} in stream {name} under account {_account} is not in the range [0, 2^128-1].");
        }

        AdmitSplitMerge(name);
        await ReshardAsync(
            name,
            "SplitShard",
            current =>
            {
                RequireWritableProvisioned(current, "SplitShard");
                CheckAccountShardLimit(1);
                return ReshardPlanner.Split(current.Entry, request.ShardToSplit!, newStart, _account, NowMs);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask MergeShardsAsync(MergeShardsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        Constraints.Name(ref errors, request.ShardToMerge, "shardToMerge", required: true, Constraints.MaxShardIdLength);
        Constraints.Name(ref errors, request.AdjacentShardToMerge, "adjacentShardToMerge", required: true, Constraints.MaxShardIdLength);
        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        AdmitSplitMerge(name);
        await ReshardAsync(
            name,
            "MergeShards",
            current =>
            {
                RequireWritableProvisioned(current, "MergeShards");
                return ReshardPlanner.Merge(current.Entry, request.ShardToMerge!, request.AdjacentShardToMerge!, _account, NowMs);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<UpdateShardCountResponse> UpdateShardCountAsync(UpdateShardCountRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        Constraints.Required(ref errors, request.TargetShardCount, "targetShardCount");
        Constraints.Range(ref errors, request.TargetShardCount, "targetShardCount", 1, 100000);
        Constraints.Required(ref errors, request.ScalingType, "scalingType");
        if (request.ScalingType is { } scaling && !string.Equals(scaling, "UNIFORM_SCALING", StringComparison.Ordinal))
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(scaling), "scalingType", "Member must satisfy enum value set: [UNIFORM_SCALING]");
        }

        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        var target = request.TargetShardCount!.Value;
        var before = 0;
        var started = await ReshardAsync(
            name,
            "UpdateShardCount",
            current =>
            {
                RequireWritableProvisioned(current, "UpdateShardCount");
                before = current.OpenShardCount;
                CheckScalingLimits(current, target);
                var plan = ReshardPlanner.UniformScale(current.Entry, target, NowMs);
                if (plan.Added.Count == 0)
                {
                    return null;
                }

                CheckAccountShardLimit(target - before);
                CountScalingCall(current);
                return plan;
            },
            cancellationToken);
        return new UpdateShardCountResponse(started.Name, started.Arn, before, target);
    }

    /// <summary>Completes when reshards of the stream started by this replica have finished (tests, bench).</summary>
    internal Task WhenReshardFinishedAsync(string name) => _resharder.WhenFinishedAsync(name);

    private Task<StreamRuntime> ReshardAsync(string name, string operation, Func<StreamRuntime, ReshardPlan?> plan, CancellationToken cancellationToken) =>
        _resharder.BeginAsync(name, operation, plan, cancellationToken);

    /// <summary>Resharding needs an ACTIVE provisioned stream (ResourceInUseException while UPDATING, as Kinesis).</summary>
    private void RequireWritableProvisioned(StreamRuntime current, string operation)
    {
        RequireActive(current, _account);
        if (current.Entry.Mode != StreamMode.Provisioned)
        {
            Errors.InvalidArgument($"{operation} is not supported for stream {current.Name} under account {_account}: it is in ON_DEMAND capacity mode, where the service manages the shards.");
        }
    }

    /// <summary>New open shards count against the account's shard limit (LimitExceededException).</summary>
    private void CheckAccountShardLimit(int addedOpenShards)
    {
        if (addedOpenShards <= 0)
        {
            return;
        }

        var open = _streams.Values.Sum(s => s.OpenShardCount);
        if ((long)open + addedOpenShards > _options.ShardLimit)
        {
            Errors.Throw(
                KinesisErrorCode.LimitExceeded,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"This request would exceed the shard limit for the account {_account} in {_region}. Current shard count for the account: {open}. Limit: {_options.ShardLimit}. Number of additional shards that would have resulted from this request: {addedOpenShards}."));
        }
    }

    /// <summary>UpdateShardCount limits (API reference): at most double, at least half, the per-stream maximum, calls per 24 hours.</summary>
    private void CheckScalingLimits(StreamRuntime current, int target)
    {
        var open = current.OpenShardCount;
        string? refusal = null;
        if (target > open * 2L)
        {
            refusal = $"UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: {open} Target shard count: {target}";
        }
        else if (target * 2L < open)
        {
            refusal = $"UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: {open} Target shard count: {target}";
        }
        else if (target > _options.Resharding.MaxShardsPerStream)
        {
            refusal = $"UpdateShardCount cannot scale stream {current.Name} above {_options.Resharding.MaxShardsPerStream} shards. Target shard count: {target}";
        }
        else
        {
            lock (_reshardRateGate)
            {
                if (ScalingCalls(current).Count >= _options.Resharding.UpdateShardCountPerDay)
                {
                    refusal = $"Stream {current.Name} under account {_account} has already been scaled {_options.Resharding.UpdateShardCountPerDay} times in the last 24 hours.";
                }
            }
        }

        if (refusal is not null)
        {
            Errors.Throw(KinesisErrorCode.LimitExceeded, refusal);
        }
    }

    private void CountScalingCall(StreamRuntime current)
    {
        lock (_reshardRateGate)
        {
            ScalingCalls(current).Enqueue(NowMs);
        }
    }

    /// <summary>This replica's UpdateShardCount calls on the stream in the last 24 hours (caller holds the gate).</summary>
    private Queue<long> ScalingCalls(StreamRuntime current)
    {
        var key = current.Name + "/" + current.Incarnation.ToString(CultureInfo.InvariantCulture);
        if (!_scalingCalls.TryGetValue(key, out var calls))
        {
            _scalingCalls[key] = calls = new Queue<long>();
        }

        var horizon = NowMs - (long)TimeSpan.FromHours(24).TotalMilliseconds;
        while (calls.Count > 0 && calls.Peek() <= horizon)
        {
            calls.Dequeue();
        }

        return calls;
    }

    /// <summary>SplitShard and MergeShards rate (Kinesis: 5 per second per account), a token bucket per replica.</summary>
    private void AdmitSplitMerge(string name)
    {
        var rate = _options.Resharding.SplitMergeCallsPerSecond;
        lock (_reshardRateGate)
        {
            var now = NowMs;
            if (_splitMergeTokens < 0)
            {
                _splitMergeTokens = rate;
                _splitMergeRefilledMs = now;
            }

            _splitMergeTokens = Math.Min(rate, _splitMergeTokens + ((now - _splitMergeRefilledMs) * rate / 1000.0));
            _splitMergeRefilledMs = now;
            if (_splitMergeTokens < 1)
            {
                Errors.Throw(KinesisErrorCode.LimitExceeded, $"Rate exceeded for SplitShard/MergeShards on stream {name} under account {_account}: at most {rate} calls per second.");
            }

            _splitMergeTokens--;
        }
    }
}
