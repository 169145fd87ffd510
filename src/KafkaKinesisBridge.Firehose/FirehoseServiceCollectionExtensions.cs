using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Firehose;

/// <summary>Registers the Firehose core.</summary>
public static class FirehoseServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="FirehoseService"/> and its options (section <c>Firehose</c>, validated at
    /// start). Needs the Kinesis core (<c>AddKinesisStreamsCore</c>: the catalog, the streams) and an
    /// <c>ILogStore</c>. Idempotent.
    /// </summary>
    public static IServiceCollection AddFirehoseCore(this IServiceCollection services, IConfiguration? configuration = null, Action<FirehoseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<FirehoseOptions>();
        if (configuration is not null)
        {
            builder.Bind(configuration.GetSection(FirehoseOptions.SectionName));
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FirehoseOptions>, FirehoseOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FirehoseService>();
        return services;
    }
}

/// <summary>Runs <see cref="FirehoseOptions.Validate"/> when the options are built.</summary>
internal sealed class FirehoseOptionsValidator : IValidateOptions<FirehoseOptions>
{
    public ValidateOptionsResult Validate(string? name, FirehoseOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
