using System.Text.Json;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>A topic's settings as stored in <c>topic.json</c>.</summary>
internal readonly record struct TopicMetadata(string Name, int Partitions, TimeSpan Retention);

/// <summary>
/// Reads and writes <c>topic.json</c>, e.g. <c>{"version":1,"name":"orders","partitions":4,"retentionMs":86400000}</c>
/// (<c>retentionMs</c> -1 for unlimited). Writes are atomic: a temporary file is written and flushed,
/// renamed over the old one, and the folder flushed, so a crash leaves either the old or the new
/// settings, never a mix. The file's presence is what makes a topic exist: it is written last when a
/// topic is created.
/// </summary>
internal static class TopicMetadataFile
{
    public const string FileName = "topic.json";
    private const string TempSuffix = ".tmp";
    private const int Version = 1;

    public static string PathIn(string topicDirectory) => Path.Combine(topicDirectory, FileName);

    public static void Write(string topicDirectory, TopicMetadata metadata)
    {
        var path = PathIn(topicDirectory);
        var temp = path + TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteNumber("version", Version);
                writer.WriteString("name", metadata.Name);
                writer.WriteNumber("partitions", metadata.Partitions);
                writer.WriteNumber("retentionMs", ToMilliseconds(metadata.Retention));
                writer.WriteEndObject();
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        NativeMethods.FsyncDirectory(topicDirectory);
    }

    public static bool TryRead(string topicDirectory, out TopicMetadata metadata, out string error)
    {
        metadata = default;
        error = string.Empty;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathIn(topicDirectory));
        }
        catch (FileNotFoundException)
        {
            error = "no " + FileName;
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (!root.TryGetProperty("version", out var version) || version.GetInt32() != Version)
            {
                error = "unknown format version";
                return false;
            }

            var name = root.GetProperty("name").GetString() ?? string.Empty;
            var partitions = root.GetProperty("partitions").GetInt32();
            var retentionMs = root.GetProperty("retentionMs").GetInt64();
            if (partitions < 1 || retentionMs < -1 || retentionMs == 0)
            {
                error = "invalid partitions or retention";
                return false;
            }

            metadata = new TopicMetadata(
                name,
                partitions,
                retentionMs == -1 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(retentionMs));
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            error = "malformed " + FileName + ": " + e.Message;
            return false;
        }
    }

    /// <summary>Removes a temporary file left by a write that crashed before its rename.</summary>
    public static void DeleteLeftoverTemp(string topicDirectory) => File.Delete(PathIn(topicDirectory) + TempSuffix);

    private static long ToMilliseconds(TimeSpan retention) =>
        retention == Timeout.InfiniteTimeSpan ? -1 : (long)retention.TotalMilliseconds;
}

/// <summary>Kafka's rules for topic names, which are also folder names here.</summary>
internal static class TopicNames
{
    /// <summary>Kafka's limit (249, so that a partition folder name still fits 255 characters).</summary>
    public const int MaxLength = 249;

    /// <summary>1 to 249 characters of <c>[a-zA-Z0-9._-]</c>, and not "." or "..".</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name is "." or "..")
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
