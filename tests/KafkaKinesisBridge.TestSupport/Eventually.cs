using System.Diagnostics;

namespace KafkaKinesisBridge.TestSupport;

/// <summary>Waits for a condition instead of sleeping a fixed time.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    /// <exception cref="TimeoutException">The condition did not hold in time.</exception>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var watch = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(5);
        while (!await condition().ConfigureAwait(false))
        {
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Condition not met within {limit}: {because ?? "(no description)"}");
            }

            await Task.Delay(delay).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(100).Ticks));
        }
    }

    /// <summary>Synchronous-condition overload of <see cref="UntilAsync(Func{Task{bool}}, TimeSpan?, string?)"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, because);
}
