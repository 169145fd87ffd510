using KafkaKinesisBridge.Firehose.Sink.Delivery;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Diagnostics;
using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.Firehose.Sink.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Firehose.Sink.Hosting;

/// <summary>
/// The hosted sink worker: keeps one <see cref="DeliveryPipeline"/> running per active delivery
/// stream (as the provider lists them), restarts a pipeline that fails from its committed positions,
/// and on shutdown stops them all, each delivering what it buffered first.
/// </summary>
public sealed class SinkWorker : BackgroundService
{
    private readonly ISinkDeliveryStreamProvider _provider;
    private readonly ISinkSourceFactory _sources;
    private readonly IObjectStore _store;
    private readonly SinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);

    /// <summary>Creates the worker.</summary>
    public SinkWorker(
        ISinkDeliveryStreamProvider provider,
        ISinkSourceFactory sources,
        IObjectStore store,
        IOptions<SinkOptions> options,
        TimeProvider? time = null,
        ILogger<SinkWorker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _provider = provider;
        _sources = sources;
        _store = store;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Names of the delivery streams with a running pipeline.</summary>
    public IReadOnlyCollection<string> RunningDeliveryStreams
    {
        get
        {
            lock (_running)
            {
                return [.. _running.Keys];
            }
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await ReconcileAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(_options.CatalogPollInterval, _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            List<Running> all;
            lock (_running)
            {
                all = [.. _running.Values];
                _running.Clear();
            }

            await Task.WhenAll(all.Select(StopAsync)).ConfigureAwait(false);
        }
    }

    private async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        IReadOnlyCollection<SinkDeliveryStream> wanted;
        try
        {
            wanted = await _provider.GetActiveDeliveryStreamsAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ProviderFailed(_logger, e);
            return;
        }

        var byName = new Dictionary<string, SinkDeliveryStream>(StringComparer.Ordinal);
        foreach (var stream in wanted)
        {
            byName[stream.Name] = stream;
        }

        List<Running> stale;
        lock (_running)
        {
            stale = [.. _running.Values.Where(r => !byName.TryGetValue(r.Stream.Name, out var now) || now != r.Stream)];
            foreach (var r in stale)
            {
                _running.Remove(r.Stream.Name);
            }
        }

        // Stop before starting the new version, so the two never write the same partition at once.
        await Task.WhenAll(stale.Select(StopAsync)).ConfigureAwait(false);
        foreach (var stream in byName.Values)
        {
            lock (_running)
            {
                if (_running.ContainsKey(stream.Name))
                {
                    continue;
                }
            }

            if (SinkDestinationValidator.Validate(stream) is { } reason)
            {
                Log.InvalidDeliveryStream(_logger, stream.Name, reason);
                continue;
            }

            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var task = Task.Run(() => SuperviseAsync(stream, cancellation.Token), CancellationToken.None);
            lock (_running)
            {
                _running[stream.Name] = new Running(stream, cancellation, task);
            }
        }
    }

    private async Task SuperviseAsync(SinkDeliveryStream stream, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var source = await _sources.OpenAsync(stream, cancellationToken).ConfigureAwait(false);
                await using (source.ConfigureAwait(false))
                {
                    Log.PipelineStarted(_logger, stream.Name, stream.VersionId, stream.Source.Topic, _store.Name, stream.Destination.Bucket);
                    var pipeline = new DeliveryPipeline(stream, source, _store, _options, _time, _logger);
                    await pipeline.RunAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Log.PipelineFailed(_logger, stream.Name, e);
                try
                {
                    await Task.Delay(_options.RestartDelay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        Log.PipelineStopped(_logger, stream.Name, stream.VersionId);
    }

    private static async Task StopAsync(Running running)
    {
        await running.Cancellation.CancelAsync().ConfigureAwait(false);
        await running.Task.ConfigureAwait(false);
        running.Cancellation.Dispose();
    }

    private sealed record Running(SinkDeliveryStream Stream, CancellationTokenSource Cancellation, Task Task);
}
