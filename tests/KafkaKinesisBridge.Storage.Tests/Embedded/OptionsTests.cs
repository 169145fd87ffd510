using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Embedded;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

public sealed class OptionsTests
{
    [Fact]
    public void Validate_Defaults_HaveNoErrors()
    {
        Assert.Empty(new EmbeddedLogOptions().Validate());
    }

    [Theory]
    [InlineData(nameof(EmbeddedLogOptions.DataDirectory))]
    [InlineData(nameof(EmbeddedLogOptions.SegmentBytes))]
    [InlineData(nameof(EmbeddedLogOptions.SegmentMaxAge))]
    [InlineData(nameof(EmbeddedLogOptions.RetentionCheckInterval))]
    [InlineData(nameof(EmbeddedLogOptions.MaxOpenFiles))]
    [InlineData(nameof(EmbeddedLogOptions.IndexIntervalBytes))]
    [InlineData(nameof(EmbeddedLogOptions.IndexCacheBytes))]
    [InlineData(nameof(EmbeddedLogOptions.MaxRecordBytes))]
    public void Validate_InvalidSetting_ReportsIt(string setting)
    {
        var options = new EmbeddedLogOptions();
        switch (setting)
        {
            case nameof(EmbeddedLogOptions.DataDirectory): options.DataDirectory = " "; break;
            case nameof(EmbeddedLogOptions.SegmentBytes): options.SegmentBytes = EmbeddedLogOptions.MaxSegmentBytes + 1; break;
            case nameof(EmbeddedLogOptions.SegmentMaxAge): options.SegmentMaxAge = TimeSpan.Zero; break;
            case nameof(EmbeddedLogOptions.RetentionCheckInterval): options.RetentionCheckInterval = TimeSpan.FromSeconds(-1); break;
            case nameof(EmbeddedLogOptions.MaxOpenFiles): options.MaxOpenFiles = 0; break;
            case nameof(EmbeddedLogOptions.IndexIntervalBytes): options.IndexIntervalBytes = 1; break;
            case nameof(EmbeddedLogOptions.IndexCacheBytes): options.IndexCacheBytes = -1; break;
            case nameof(EmbeddedLogOptions.MaxRecordBytes): options.MaxRecordBytes = EmbeddedLogOptions.MaxMaxRecordBytes + 1; break;
        }

        var error = Assert.Single(options.Validate());

        Assert.StartsWith(setting, error, StringComparison.Ordinal);
        Assert.True(new EmbeddedLogOptionsValidator().Validate(null, options).Failed);
    }

    [Fact]
    public void Open_InvalidOptions_ThrowsOptionsValidationException()
    {
        var error = Assert.Throws<OptionsValidationException>(() => EmbeddedLogStore.Open(new EmbeddedLogOptions { SegmentBytes = 10 }));

        Assert.Contains(nameof(EmbeddedLogOptions.SegmentBytes), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEmbeddedLogStore_Registers_StoreOptionsAndValidator()
    {
        var services = new ServiceCollection();

        services.AddEmbeddedLogStore(o => o.DataDirectory = "somewhere");

        Assert.Contains(services, d => d.ServiceType == typeof(ILogStore) && d.Lifetime == ServiceLifetime.Singleton);
        Assert.Contains(services, d => d.ServiceType == typeof(EmbeddedLogStore) && d.Lifetime == ServiceLifetime.Singleton);
        Assert.Contains(services, d => d.ServiceType == typeof(IValidateOptions<EmbeddedLogOptions>) && d.ImplementationType == typeof(EmbeddedLogOptionsValidator));
        Assert.Contains(services, d => d.ServiceType == typeof(IConfigureOptions<EmbeddedLogOptions>));
    }
}
