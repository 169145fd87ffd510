using System.Globalization;
using System.Text;

namespace KafkaKinesisBridge.Firehose.Sink.Checkpoints;

/// <summary>
/// Checkpoints as small files next to the embedded log: <c>&lt;directory&gt;/&lt;delivery stream&gt;/&lt;topic&gt;/&lt;partition&gt;</c>
/// holding the next offset in decimal. Each save writes a temporary file, fsyncs it and renames it
/// over the old one, so a crash leaves the old or the new position, never a torn one.
/// </summary>
public sealed class FileCheckpointStore : ISinkCheckpointStore
{
    private readonly string _directory;
    private readonly bool _fsync;

    /// <summary>Keeps checkpoints under <paramref name="directory"/>.</summary>
    public FileCheckpointStore(string directory, bool fsync = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = Path.GetFullPath(directory);
        _fsync = fsync;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<int, long>> LoadAsync(string deliveryStream, string topic, CancellationToken cancellationToken)
    {
        var folder = Folder(deliveryStream, topic);
        var positions = new Dictionary<int, long>();
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                if (int.TryParse(Path.GetFileName(file), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                    && long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                {
                    positions[partition] = offset;
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<int, long>>(positions);
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(string deliveryStream, string topic, int partition, long nextOffset, CancellationToken cancellationToken)
    {
        var folder = Folder(deliveryStream, topic);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, partition.ToString(CultureInfo.InvariantCulture));
        var temp = path + ".tmp";
        var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(nextOffset.ToString(CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
            if (_fsync)
            {
                stream.Flush(flushToDisk: true);
            }
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string deliveryStream, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(_directory, Safe(deliveryStream));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private string Folder(string deliveryStream, string topic) => Path.Combine(_directory, Safe(deliveryStream), Safe(topic));

    // Delivery stream names are [a-zA-Z0-9_.-] and topic names [a-zA-Z0-9._-]; refuse what could leave the folder.
    private static string Safe(string name) =>
        name.Length == 0 || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0
            ? throw new ArgumentException($"'{name}' cannot name a checkpoint folder.", nameof(name))
            : name;
}
