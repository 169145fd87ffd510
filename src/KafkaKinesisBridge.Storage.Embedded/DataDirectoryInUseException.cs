namespace KafkaKinesisBridge.Storage.Embedded;

/// <summary>
/// Thrown when opening an embedded log whose data directory is already open, by another process or
/// by another store in this one: two writers would corrupt each other's segments.
/// </summary>
public sealed class DataDirectoryInUseException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/>.</summary>
    public DataDirectoryInUseException(string directory, Exception? innerException = null)
        : base($"The embedded log data directory '{directory}' is in use by another process (or another store in this process). " +
            "Stop the other gateway or choose another DataDirectory.", innerException)
    {
        Directory = directory;
    }

    /// <summary>The data directory.</summary>
    public string Directory { get; }
}
