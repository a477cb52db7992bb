using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Prem.Llm.Checkpoints;

/// <summary>
/// A HuggingFace-style checkpoint folder: either one <c>model.safetensors</c>, or shards
/// <c>model-00001-of-0000N.safetensors</c> listed by <c>model.safetensors.index.json</c>. Opening
/// validates every shard header and the index; tensors are then read one at a time by name.
/// </summary>
internal sealed partial class SafeTensorsCheckpoint : IDisposable
{
    /// <summary>The single-file checkpoint name HuggingFace uses.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The default shard size limit: 5 GB, as transformers' <c>save_pretrained</c>.</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    private readonly List<SafeTensorsFile> _files;
    private readonly Dictionary<string, SafeTensorsFile> _owner;

    private SafeTensorsCheckpoint(string directory, List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> owner)
    {
        Directory = directory;
        _files = files;
        _owner = owner;
        Tensors = owner.Select(kv => kv.Value.GetInfo(kv.Key)).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The folder the checkpoint was opened from.</summary>
    public string Directory { get; }

    /// <summary>The safetensors files of the checkpoint (one, or the shards).</summary>
    public IReadOnlyList<SafeTensorsFile> Files => _files;

    /// <summary>Every tensor of the checkpoint, ordered by name.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>
    /// Opens the checkpoint in <paramref name="directory"/>, preferring the index when both forms are
    /// present. With an index, exactly the tensors of its weight_map are exposed (a shard's other
    /// tensors are ignored, as transformers does).
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder has neither <c>model.safetensors</c> nor an index.</exception>
    /// <exception cref="SafeTensorsFormatException">The index or a shard is malformed, a shard is missing, or the index
    /// lists a tensor its shard lacks.</exception>
    public static SafeTensorsCheckpoint Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Checkpoint folder '{directory}' does not exist.");
        }
        var indexPath = Path.Combine(directory, SafeTensorsIndex.FileName);
        var singlePath = Path.Combine(directory, SingleFileName);
        var files = new List<SafeTensorsFile>();
        var owner = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(indexPath))
            {
                OpenShards(directory, indexPath, files, owner);
            }
            else if (File.Exists(singlePath))
            {
                var file = SafeTensorsFile.Open(singlePath);
                files.Add(file);
                foreach (var t in file.Tensors)
                {
                    owner[t.Name] = file;
                }
            }
            else
            {
                throw new FileNotFoundException($"'{directory}' has neither {SingleFileName} nor {SafeTensorsIndex.FileName}.");
            }
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
        return new SafeTensorsCheckpoint(directory, files, owner);
    }

    /// <summary>Whether the checkpoint holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _owner.ContainsKey(name);

    /// <summary>The header entry of tensor <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such tensor.</exception>
    public SafeTensorInfo GetInfo(string name) => Owner(name).GetInfo(name);

    /// <summary>Reads tensor <paramref name="name"/> into a new CPU tensor (see <see cref="SafeTensorsFile.Read"/>).</summary>
    public Tensor Read(string name, ScalarType? dtype = null) => Owner(name).Read(name, dtype);

    /// <summary>Reads tensor <paramref name="name"/> into <paramref name="destination"/> (see <see cref="SafeTensorsFile.ReadInto"/>).</summary>
    public void ReadInto(string name, Tensor destination) => Owner(name).ReadInto(name, destination);

    /// <summary>Maps tensor <paramref name="name"/> into <paramref name="destination"/> when it can (see <see cref="SafeTensorsFile.TryMapInto"/>).</summary>
    public bool TryMapInto(string name, Tensor destination) => Owner(name).TryMapInto(name, destination);

    /// <summary>Closes every file.</summary>
    public void Dispose() => _files.ForEach(f => f.Dispose());

    /// <summary>
    /// Saves <paramref name="tensors"/> into <paramref name="directory"/> as HuggingFace does: one
    /// <c>model.safetensors</c> when everything fits in <paramref name="maxShardBytes"/>, otherwise
    /// shards <c>model-00001-of-0000N.safetensors</c> (filled in the given order, a new shard started
    /// when the next tensor would overflow the limit; a tensor larger than the limit gets a shard of
    /// its own) plus the index. Each file is written atomically, the index last; checkpoint files of
    /// an earlier save that the new one does not use are then removed.
    /// </summary>
    /// <param name="directory">The folder, created if needed.</param>
    /// <param name="tensors">Name → tensor; streamed one at a time.</param>
    /// <param name="maxShardBytes">The shard size limit in bytes of tensor data.</param>
    /// <param name="dtype">When given, floating-point tensors are stored in this type.</param>
    public static void Save(string directory, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        long maxShardBytes = DefaultMaxShardBytes, ScalarType? dtype = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        var all = tensors.ToList();
        var shards = new List<List<KeyValuePair<string, Tensor>>> { new() };
        long shardBytes = 0, totalBytes = 0;
        foreach (var kv in all)
        {
            var bytes = SafeTensorsWriter.StoredBytes(kv.Value, dtype);
            if (shards[^1].Count > 0 && shardBytes + bytes > maxShardBytes)
            {
                shards.Add([]);
                shardBytes = 0;
            }
            shards[^1].Add(kv);
            shardBytes += bytes;
            totalBytes += bytes;
        }

        System.IO.Directory.CreateDirectory(directory);
        var written = new HashSet<string>(StringComparer.Ordinal);
        if (shards.Count == 1)
        {
            SafeTensorsWriter.Write(Path.Combine(directory, SingleFileName), all, dtype: dtype);
            written.Add(SingleFileName);
        }
        else
        {
            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < shards.Count; i++)
            {
                var name = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
                SafeTensorsWriter.Write(Path.Combine(directory, name), shards[i], dtype: dtype);
                written.Add(name);
                foreach (var kv in shards[i])
                {
                    weightMap.Add(kv.Key, name);
                }
            }
            new SafeTensorsIndex(totalBytes, weightMap).Write(Path.Combine(directory, SafeTensorsIndex.FileName));
            written.Add(SafeTensorsIndex.FileName);
        }
        RemoveStale(directory, written);
    }

    private static void RemoveStale(string directory, HashSet<string> written)
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            var ours = name == SingleFileName || name == SafeTensorsIndex.FileName || ShardName().IsMatch(name);
            if (ours && !written.Contains(name))
            {
                File.Delete(path);
            }
        }
    }

    [GeneratedRegex(@"^model-\d{5}-of-\d{5}\.safetensors$")]
    private static partial Regex ShardName();

    private SafeTensorsFile Owner(string name) =>
        _owner.TryGetValue(name, out var file) ? file : throw new KeyNotFoundException($"No tensor '{name}' in checkpoint '{Directory}'.");

    private static void OpenShards(string directory, string indexPath, List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> owner)
    {
        var index = SafeTensorsIndex.Read(indexPath);
        var byShard = index.WeightMap.GroupBy(kv => kv.Value, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal);
        var root = Path.GetFullPath(directory);
        foreach (var group in byShard)
        {
            var shardPath = Path.Combine(directory, group.Key);
            // Belt and braces over IsSafeShardName: the resolved path must sit directly in the folder.
            if (!string.Equals(Path.GetDirectoryName(Path.GetFullPath(shardPath)), Path.TrimEndingDirectorySeparator(root), StringComparison.Ordinal))
            {
                throw new SafeTensorsFormatException(indexPath, group.First().Key, $"shard '{group.Key}' resolves outside the checkpoint folder.");
            }
            if (!File.Exists(shardPath))
            {
                throw new SafeTensorsFormatException(indexPath, group.First().Key, $"its shard '{group.Key}' does not exist in '{directory}'.");
            }
            var file = SafeTensorsFile.Open(shardPath);
            files.Add(file);
            foreach (var (name, _) in group)
            {
                if (!file.Contains(name))
                {
                    throw new SafeTensorsFormatException(indexPath, name, $"the index places it in '{group.Key}', which has no such tensor.");
                }
                owner[name] = file;
            }
        }
    }
}
