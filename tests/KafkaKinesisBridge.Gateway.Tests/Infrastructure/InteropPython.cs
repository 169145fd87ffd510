using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>Finds the Python interpreter the grpcio clients (interop tests, examples) run with.</summary>
internal static class InteropPython
{
    /// <summary>A python3 that can import grpc and google.protobuf (Debian's /usr/bin/python3 first); null when none.</summary>
    public static async Task<string?> FindWithGrpcAsync()
    {
        // Debian's python3-grpcio lives in the system interpreter; a pyenv or venv python3 earlier on
        // PATH usually lacks it, so try /usr/bin/python3 first.
        foreach (var candidate in new[] { "/usr/bin/python3", ExternalProcess.Find("python3") })
        {
            if (candidate is null || ExternalProcess.Find(candidate) is null)
            {
                continue;
            }

            var probe = await ExternalProcess.RunAsync(candidate, ["-c", "import grpc, google.protobuf"], timeout: TimeSpan.FromSeconds(30));
            if (probe.ExitCode == 0)
            {
                return candidate;
            }
        }

        return null;
    }
}
