using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Storage.Kafka;

/// <summary>Validates <see cref="KafkaStorageOptions"/> at start-up (register with <c>ValidateOnStart</c>).</summary>
public sealed class KafkaStorageOptionsValidator : IValidateOptions<KafkaStorageOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, KafkaStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.GetValidationErrors();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
