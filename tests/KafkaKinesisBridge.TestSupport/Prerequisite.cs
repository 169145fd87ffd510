using System.Diagnostics.CodeAnalysis;
using Xunit;

namespace KafkaKinesisBridge.TestSupport;

/// <summary>
/// Skips a test whose independent client or tool is missing (AWS CLI, boto3, grpcio, node and the npm
/// clients, curl, the native librdkafka, a build output), with the reason. Under <c>make test</c>,
/// which installs all of them, <see cref="RequireVariable"/> is set and a missing one fails the test
/// instead: an interoperability suite that quietly skipped itself would be reported as green.
/// </summary>
/// <remarks>
/// Skips for things this machine cannot have (a real Kafka broker, IPv6 loopback, what librdkafka's
/// mock cluster does not implement) use <c>Assert.Skip</c> directly and stay skips.
/// </remarks>
public static class Prerequisite
{
    /// <summary>Set to 1 to turn missing prerequisites into failures.</summary>
    public const string RequireVariable = "KKB_REQUIRE_PREREQUISITES";

    /// <summary>True when missing prerequisites fail tests.</summary>
    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>Skips (or, when <see cref="Required"/>, fails) the running test because of <paramref name="reason"/>.</summary>
    [DoesNotReturn]
    public static void Missing(string reason)
    {
        if (Required)
        {
            Assert.Fail($"{reason} ({RequireVariable}=1, as `make test` sets it: `make deps` installs every prerequisite.)");
        }

        Assert.Skip(reason);
    }
}
