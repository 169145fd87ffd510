using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Tests.Contract;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Storage.Tests.InMemory;

/// <summary>
/// The storage contract against the in-memory fake the core's unit tests use, so those tests stand on
/// a store that behaves like the real ones.
/// </summary>
public sealed class InMemoryLogStoreContractTests : LogStoreContractTests
{
    protected override ValueTask<ILogStore> OpenStoreAsync() => new(new InMemoryLogStore());

    protected override string? SkipReason(LogStoreCapability capability) => capability switch
    {
        LogStoreCapability.Retention => "the in-memory store has no time-based retention (tests trim the log start with Trim)",
        LogStoreCapability.Reopen => "the in-memory store keeps nothing once disposed",
        _ => null,
    };
}
