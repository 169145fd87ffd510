using System.Globalization;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Iterators;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Streams;

// Enhanced fan-out consumers: RegisterStreamConsumer, DeregisterStreamConsumer,
// DescribeStreamConsumer, ListStreamConsumers (Kinesis API reference). Consumers live in the
// stream's catalog entry, so every replica knows them; their CREATING -> ACTIVE step is derived from
// the registration time (FanOutOptions.ConsumerActivationDelay), and DELETING entries are removed
// after FanOutOptions.ConsumerDeletionDelay by the replica that deregistered them or, if it died,
// by the reconciler of any replica.
public sealed partial class StreamsService
{
    private const int DefaultListConsumersMaxResults = 100;

    /// <inheritdoc />
    public async ValueTask<RegisterStreamConsumerResponse> RegisterStreamConsumerAsync(RegisterStreamConsumerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        Constraints.Required(ref errors, request.StreamARN, "streamARN");
        Constraints.StreamArn(ref errors, request.StreamARN);
        Constraints.Name(ref errors, request.ConsumerName, "consumerName", required: true);
        if (request.Tags is { Count: > 50 })
        {
            ValidationErrors.Add(ref errors, "'{...}'", "tags", "Member must have length less than or equal to 50");
        }

        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(null, request.StreamARN);
        var consumerName = request.ConsumerName!;
        var createdAtMs = NowMs;
        await UpdateStreamAsync(
            name,
            (runtime, updated) =>
            {
                // Kinesis registers consumers on ACTIVE (and UPDATING) streams only.
                if (runtime.Status is not (StreamStatus.Active or StreamStatus.Updating))
                {
                    Errors.StreamNotActive(runtime.Name, _account, runtime.Status);
                }

                var consumers = updated.Consumers ??= [];
                if (consumers.Exists(c => string.Equals(c.Name, consumerName, StringComparison.Ordinal)))
                {
                    Errors.Throw(
                        KinesisErrorCode.ResourceInUse,
                        $"Consumer {consumerName} under stream {runtime.Arn} already exists for account {_account}.");
                }

                if (consumers.Count >= _options.FanOut.MaxConsumersPerStream)
                {
                    Errors.Throw(
                        KinesisErrorCode.LimitExceeded,
                        string.Create(CultureInfo.InvariantCulture, $"Consumer limit of {_options.FanOut.MaxConsumersPerStream} reached for stream {runtime.Arn}; deregister a consumer first."));
                }

                consumers.Add(new ConsumerEntry { Name = consumerName, CreatedAtMs = createdAtMs });
                return true;
            },
            cancellationToken);
        var stream = GetStream(name);
        var entry = stream.Entry.Consumers!.Find(c => string.Equals(c.Name, consumerName, StringComparison.Ordinal))!;
        return new RegisterStreamConsumerResponse(ToConsumer(stream, entry));
    }

    /// <inheritdoc />
    public async ValueTask DeregisterStreamConsumerAsync(StreamConsumerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        var (name, consumerName, createdEpoch) = ResolveConsumer(request);
        var deletingSince = NowMs;
        var stream = await UpdateStreamAsync(
            name,
            (runtime, updated) =>
            {
                var entry = FindConsumer(runtime, updated, consumerName, createdEpoch);
                if (entry.DeletingSinceMs is not null)
                {
                    return false;
                }

                entry.DeletingSinceMs = deletingSince;
                return true;
            },
            cancellationToken);

        var arn = ConsumerArns.Format(stream.Arn, consumerName, FindConsumer(stream, stream.Entry, consumerName, createdEpoch).CreatedAtMs);
        _subscriptions.EndConsumer(arn, new KinesisException(KinesisErrorCode.ResourceNotFound, $"Consumer {arn} was deregistered."));
        _ = RemoveDeletedConsumersLaterAsync(name);
    }

    /// <inheritdoc />
    public async ValueTask<DescribeStreamConsumerResponse> DescribeStreamConsumerAsync(StreamConsumerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        var (name, consumerName, createdEpoch) = ResolveConsumer(request);
        await _catalog.RefreshAsync(cancellationToken);
        if (!_streams.TryGetValue(name, out var stream))
        {
            Errors.StreamNotFound(name, _account);
        }

        var entry = FindConsumer(stream, stream.Entry, consumerName, createdEpoch);
        var consumer = ToConsumer(stream, entry);
        return new DescribeStreamConsumerResponse(new ConsumerDescription
        {
            ConsumerName = consumer.ConsumerName,
            ConsumerARN = consumer.ConsumerARN,
            ConsumerStatus = consumer.ConsumerStatus,
            ConsumerCreationTimestamp = consumer.ConsumerCreationTimestamp,
            StreamARN = stream.Arn,
        });
    }

    /// <inheritdoc />
    public async ValueTask<ListStreamConsumersResponse> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        Constraints.Required(ref errors, request.StreamARN, "streamARN");
        Constraints.StreamArn(ref errors, request.StreamARN);
        Constraints.Range(ref errors, request.MaxResults, "maxResults", 1, 10000);
        if (request.NextToken is not null)
        {
            Constraints.Length(ref errors, request.NextToken, "nextToken", 1, Constraints.MaxNextTokenLength);
        }

        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(null, request.StreamARN);
        var skip = 0;
        ulong? incarnation = null;
        if (request.NextToken is { } token)
        {
            // The token identifies the stream unambiguously (Kinesis: "Don't specify StreamName or
            // StreamCreationTimestamp if you specify NextToken").
            if (request.StreamCreationTimestamp is not null)
            {
                Errors.InvalidArgument("NextToken and StreamCreationTimestamp cannot be provided together.");
            }

            if (!_tokens.TryDecodeListConsumers(token, out var position) || !string.Equals(position.StreamName, name, StringComparison.Ordinal))
            {
                Errors.InvalidArgument("Invalid NextToken.");
            }

            CheckTokenAge(position.IssuedAtMs);
            skip = position.Returned;
            incarnation = position.Incarnation;
        }

        var stream = await GetFreshStreamAsync(name, cancellationToken);
        if ((incarnation is { } expected && expected != stream.Incarnation)
            || (request.StreamCreationTimestamp is { } created && created.ToUnixTimeSeconds() != stream.CreatedAt.ToUnixTimeSeconds()))
        {
            // Another stream of the same name than the one the token or timestamp names.
            Errors.StreamNotFound(name, _account);
        }

        var all = stream.Entry.Consumers ?? [];
        var limit = request.MaxResults ?? DefaultListConsumersMaxResults;
        var page = new List<Consumer>(Math.Min(limit, Math.Max(0, all.Count - skip)));
        for (var i = skip; i < all.Count && page.Count < limit; i++)
        {
            page.Add(ToConsumer(stream, all[i]));
        }

        var returned = skip + page.Count;
        var next = returned < all.Count
            ? _tokens.EncodeListConsumers(new ListConsumersPosition(name, stream.Incarnation, returned, NowMs))
            : null;
        return new ListStreamConsumersResponse(page, next);
    }

    /// <summary>The consumer's status now: DELETING once deregistered, else CREATING until the activation delay has passed.</summary>
    private ConsumerStatus StatusOf(ConsumerEntry entry) =>
        entry.DeletingSinceMs is not null ? ConsumerStatus.Deleting
        : NowMs - entry.CreatedAtMs >= (long)_options.FanOut.ConsumerActivationDelay.TotalMilliseconds ? ConsumerStatus.Active
        : ConsumerStatus.Creating;

    private Consumer ToConsumer(StreamRuntime stream, ConsumerEntry entry) => new()
    {
        ConsumerName = entry.Name,
        ConsumerARN = ConsumerArns.Format(stream.Arn, entry.Name, entry.CreatedAtMs),
        ConsumerStatus = StatusOf(entry),
        ConsumerCreationTimestamp = DateTimeOffset.FromUnixTimeMilliseconds(entry.CreatedAtMs / 1000 * 1000),
    };

    /// <summary>
    /// Validates a consumer identity (ConsumerARN, or StreamARN and ConsumerName, or all three agreeing)
    /// and returns the stream name, consumer name and, when an ARN was given, its creation epoch seconds.
    /// </summary>
    private (string StreamName, string ConsumerName, long? CreatedEpoch) ResolveConsumer(StreamConsumerRequest request)
    {
        ValidationErrors? errors = null;
        Constraints.StreamArn(ref errors, request.StreamARN);
        Constraints.Name(ref errors, request.ConsumerName, "consumerName", required: false);
        ConsumerArn(ref errors, request.ConsumerARN, "consumerARN");
        ValidationErrors.ThrowIfAny(errors);
        if (request.ConsumerARN is { } arn)
        {
            ConsumerArns.TryParse(arn, out var streamArn, out var arnConsumer, out var epoch);
            if ((request.StreamARN is not null && !string.Equals(request.StreamARN, streamArn, StringComparison.Ordinal))
                || (request.ConsumerName is not null && !string.Equals(request.ConsumerName, arnConsumer, StringComparison.Ordinal)))
            {
                Errors.InvalidArgument($"ConsumerARN {arn} does not name the consumer given by StreamARN and ConsumerName.");
            }

            return (ResolveStreamName(null, streamArn), arnConsumer, epoch);
        }

        if (request.StreamARN is null || request.ConsumerName is null)
        {
            Errors.InvalidArgument("Either ConsumerARN or both StreamARN and ConsumerName must be provided.");
        }

        return (ResolveStreamName(null, request.StreamARN), request.ConsumerName, null);
    }

    /// <summary>A consumer ARN: the service model's pattern, 1 to 2048 characters.</summary>
    private static void ConsumerArn(ref ValidationErrors? errors, string? value, string member)
    {
        if (value is null)
        {
            return;
        }

        Constraints.Length(ref errors, value, member, 1, Constraints.MaxArnLength);
        if (value.Length > 0 && (!ConsumerArns.TryParse(value, out _, out var name, out _) || !Constraints.IsName(name)))
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(value), member, "Member must satisfy regular expression pattern: " + ConsumerArns.Pattern);
        }
    }

    /// <summary>The consumer in <paramref name="entry"/> (a stream version); ResourceNotFoundException when absent or of another registration.</summary>
    private ConsumerEntry FindConsumer(StreamRuntime stream, StreamEntry entry, string consumerName, long? createdEpoch)
    {
        var consumer = entry.Consumers?.Find(c => string.Equals(c.Name, consumerName, StringComparison.Ordinal));
        if (consumer is null || (createdEpoch is { } epoch && consumer.CreatedAtMs / 1000 != epoch))
        {
            Errors.Throw(
                KinesisErrorCode.ResourceNotFound,
                $"Consumer {consumerName} under stream {stream.Arn} under account {_account} not found.");
        }

        return consumer;
    }

    /// <summary>Removes the stream's DELETING consumers once their deletion delay has passed.</summary>
    private async Task RemoveDeletedConsumersLaterAsync(string name)
    {
        try
        {
            await Task.Delay(_options.FanOut.ConsumerDeletionDelay, _time);
            await RemoveDeletedConsumersAsync(name, CancellationToken.None);
        }
        catch (KinesisException exception)
        {
            // The reconciler tries again.
            Log.ReconcileFailed(_logger, exception);
        }
    }

    /// <summary>Reconciler step: drops consumers deregistered more than the deletion delay ago.</summary>
    private async ValueTask RemoveDeletedConsumersAsync(string name, CancellationToken cancellationToken)
    {
        var delayMs = (long)_options.FanOut.ConsumerDeletionDelay.TotalMilliseconds;
        await UpdateStreamAsync(
            name,
            (runtime, updated) =>
            {
                var nowMs = NowMs;
                var removed = updated.Consumers?.RemoveAll(c => c.DeletingSinceMs is { } since && nowMs - since >= delayMs) ?? 0;
                if (updated.Consumers is { Count: 0 })
                {
                    updated.Consumers = null;
                }

                return removed > 0;
            },
            cancellationToken);
    }
}
