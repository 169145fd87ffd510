using KafkaKinesisBridge.Api.Aws.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.Dispatch;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Dispatch;

/// <summary>The in-flight body budget: reservations, waiting in order, cancellation.</summary>
public sealed class RequestBodyBudgetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AcquireAsync_WithinBudget_GrantsAtOnceAndReleasesOnDispose()
    {
        var budget = new RequestBodyBudget(100);
        var lease = await budget.AcquireAsync(60, Ct);
        Assert.Equal(40, budget.Available);
        lease.Dispose();
        Assert.Equal(100, budget.Available);
    }

    [Fact]
    public async Task AcquireAsync_BudgetSpent_WaitsUntilReleased()
    {
        var budget = new RequestBodyBudget(100);
        var first = await budget.AcquireAsync(80, Ct);
        var second = budget.AcquireAsync(50, Ct).AsTask();
        Assert.False(second.IsCompleted);
        Assert.Equal(1, budget.Waiting);

        first.Dispose();
        using var granted = await second.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(50, granted.Bytes);
        Assert.Equal(50, budget.Available);
    }

    [Fact]
    public async Task AcquireAsync_LargeWaiterFirst_SmallLaterRequestDoesNotOvertake()
    {
        var budget = new RequestBodyBudget(100);
        var held = await budget.AcquireAsync(60, Ct);
        var large = budget.AcquireAsync(90, Ct).AsTask();
        var small = budget.AcquireAsync(10, Ct).AsTask();
        Assert.False(small.IsCompleted);

        held.Dispose();
        using var largeLease = await large.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        using var smallLease = await small.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0, budget.Available);
    }

    [Fact]
    public async Task AcquireAsync_CancelledWhileWaiting_ThrowsAndLeavesBudgetWhole()
    {
        var budget = new RequestBodyBudget(100);
        var held = await budget.AcquireAsync(100, Ct);
        using var cts = new CancellationTokenSource();
        var waiting = budget.AcquireAsync(10, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, budget.Waiting);
        held.Dispose();
        Assert.Equal(100, budget.Available);
    }

    [Fact]
    public async Task AcquireAsync_MoreThanCapacity_ReservesTheWholeBudget()
    {
        var budget = new RequestBodyBudget(100);
        using var lease = await budget.AcquireAsync(1_000, Ct);
        Assert.Equal(100, lease.Bytes);
        Assert.Equal(0, budget.Available);
    }
}
