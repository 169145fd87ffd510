using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Hosting;
using KafkaKinesisBridge.Core.Streams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace KafkaKinesisBridge.Core.Tests;

public sealed class HostingTests
{
    [Fact]
    public void AddKinesisStreamsCore_BindsKinesisSectionIncludingQuotasAndTimeSpans()
    {
        var configuration = new DictionaryConfiguration(new Dictionary<string, string>
        {
            ["Kinesis:Region"] = "eu-west-1",
            ["Kinesis:AccountId"] = "123456789012",
            ["Kinesis:ShardLimit"] = "42",
            ["Kinesis:IteratorTtl"] = "00:02:00",
            ["Kinesis:Quotas:Enabled"] = "false",
            ["Kinesis:Quotas:ReadCallsPerSecond"] = "7",
        });
        var services = new ServiceCollection();

        services.AddKinesisStreamsCore(configuration);

        var options = new KinesisStreamsOptions();
        foreach (var configure in services.Where(d => d.ServiceType == typeof(IConfigureOptions<KinesisStreamsOptions>)).Select(d => (IConfigureOptions<KinesisStreamsOptions>)d.ImplementationInstance!))
        {
            configure.Configure(options);
        }

        Assert.Equal("eu-west-1", options.Region);
        Assert.Equal("123456789012", options.AccountId);
        Assert.Equal(42, options.ShardLimit);
        Assert.Equal(TimeSpan.FromMinutes(2), options.IteratorTtl);
        Assert.False(options.Quotas.Enabled);
        Assert.Equal(7, options.Quotas.ReadCallsPerSecond);
        Assert.Equal(1024 * 1024, options.Quotas.WriteBytesPerSecond);
        Assert.Contains(services, d => d.ServiceType == typeof(IStreamsService));
        Assert.Contains(services, d => d.ServiceType == typeof(IStreamsReadiness));
        Assert.Contains(services, d => d.ServiceType == typeof(StreamsService));
        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Contains(services, d => d.ServiceType == typeof(IValidateOptions<KinesisStreamsOptions>));
        Assert.Contains(services, d => d.ServiceType == typeof(TimeProvider));
    }

    [Fact]
    public void Validator_Defaults_Valid()
    {
        var result = new KinesisStreamsOptionsValidator().Validate(null, new KinesisStreamsOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validator_BadValues_EachReported()
    {
        var options = new KinesisStreamsOptions
        {
            AccountId = "12",
            Region = "",
            ShardLimit = 0,
            IteratorTtl = TimeSpan.Zero,
            TopicPrefix = "bad prefix",
            CatalogTopic = "kinesis.catalog",
            IteratorSigningKey = "short",
            Quotas = { WriteRecordsPerSecond = 0 },
        };

        var result = new KinesisStreamsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("AccountId", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Region", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("ShardLimit", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("IteratorTtl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("TopicPrefix", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("IteratorSigningKey", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("WriteRecordsPerSecond", StringComparison.Ordinal));
        Assert.Throws<OptionsValidationException>(() => new StreamsService(new TestSupport.InMemoryLogStore(), Options.Create(options), TimeProvider.System));
    }

    [Fact]
    public void Validator_CatalogTopicUnderStreamPrefix_Rejected()
    {
        var result = new KinesisStreamsOptionsValidator().Validate(null, new KinesisStreamsOptions { CatalogTopic = "kinesis.catalog" });

        Assert.True(result.Failed);
    }

    /// <summary>A minimal flat-key configuration ("A:B" keys), enough for the binder.</summary>
    private sealed class DictionaryConfiguration(IReadOnlyDictionary<string, string> values, string path = "") : IConfigurationSection
    {
        public string Key => path.Contains(':', StringComparison.Ordinal) ? path[(path.LastIndexOf(':') + 1)..] : path;

        public string Path => path;

        public string? Value
        {
            get => values.GetValueOrDefault(path);
            set => throw new NotSupportedException();
        }

        public string? this[string key]
        {
            get => values.GetValueOrDefault(Combine(key));
            set => throw new NotSupportedException();
        }

        public IConfigurationSection GetSection(string key) => new DictionaryConfiguration(values, Combine(key));

        public IEnumerable<IConfigurationSection> GetChildren()
        {
            var prefix = path.Length == 0 ? string.Empty : path + ":";
            return values.Keys
                .Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && k.Length > prefix.Length)
                .Select(k => k[prefix.Length..].Split(':')[0])
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(k => GetSection(k))
                .ToList();
        }

        public IChangeToken GetReloadToken() => NullChangeToken.Singleton;

        private string Combine(string key) => path.Length == 0 ? key : path + ":" + key;
    }
}
