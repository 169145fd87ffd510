namespace KafkaKinesisBridge.TestSupport;

/// <summary>A uniquely named directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates the directory; <paramref name="prefix"/> helps find it when a test leaves it behind.</summary>
    public TempDirectory(string prefix = "kkb")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>Full path of the directory.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open by a process under test must not fail the test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
