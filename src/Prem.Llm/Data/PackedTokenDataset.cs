using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Data;

/// <summary>
/// One split of a prepared corpus seen as packed windows (see <see cref="TokenPacker"/>): the split's
/// shards are memory-mapped and read as one token stream, so windows cross shard boundaries and no
/// token is lost between shards. Reading is thread-safe.
/// </summary>
public sealed class PackedTokenDataset : IDisposable
{
    private readonly MappedShard[] _shards;
    private readonly long[] _shardStarts;
    private readonly long[] _documentStarts;

    /// <summary>Opens <paramref name="split"/> ("train" or "val") of the corpus prepared in <paramref name="folder"/>.</summary>
    /// <param name="folder">Output folder of <see cref="CorpusPreparer"/>.</param>
    /// <param name="split">"train" or "val".</param>
    /// <param name="seqLen">Sequence length; defaults to the manifest's.</param>
    /// <param name="overlap">Window stride mode; defaults to the manifest's.</param>
    /// <exception cref="DataFormatException">Unfinished preparation, missing split, or damaged shard.</exception>
    public PackedTokenDataset(string folder, string split = "train", int? seqLen = null, bool? overlap = null)
    {
        Manifest = PrepareManifest.Load(folder);
        var manifestPath = Path.Combine(folder, PrepareManifest.FileName);
        if (!Manifest.Complete) throw new DataFormatException("preparation is not complete (interrupted run?)", manifestPath);
        var dtype = TokenDTypes.Parse(Manifest.DType, manifestPath);
        SeqLen = seqLen ?? Manifest.SeqLen;
        Overlap = overlap ?? Manifest.OverlapWindows;
        var infos = Manifest.Shards.Where(s => s.Split == split).ToList();
        if (infos.Count == 0) throw new DataFormatException($"no shards for split '{split}'", manifestPath);

        var shards = new List<MappedShard>();
        var shardStarts = new long[infos.Count + 1];
        var documentStarts = new List<long>();
        try
        {
            for (int i = 0; i < infos.Count; i++)
            {
                var offsets = TokenShard.ReadIndex(Path.Combine(folder, infos[i].IndexFile));
                if (offsets.Length - 1 != infos[i].Documents || offsets[^1] != infos[i].Tokens)
                    throw new DataFormatException("index disagrees with the manifest", Path.Combine(folder, infos[i].IndexFile));
                for (int d = 0; d < offsets.Length - 1; d++) documentStarts.Add(shardStarts[i] + offsets[d]);
                shards.Add(new MappedShard(Path.Combine(folder, infos[i].File), dtype, infos[i].Tokens));
                shardStarts[i + 1] = shardStarts[i] + infos[i].Tokens;
            }
        }
        catch
        {
            foreach (var s in shards) s.Dispose();
            throw;
        }
        _shards = shards.ToArray();
        _shardStarts = shardStarts;
        _documentStarts = documentStarts.ToArray();
        TotalTokens = shardStarts[^1];
        Count = TokenPacker.WindowCount(TotalTokens, SeqLen, Overlap);
    }

    /// <summary>The corpus manifest.</summary>
    public PrepareManifest Manifest { get; }

    /// <summary>Sequence length: inputs and targets hold this many tokens.</summary>
    public int SeqLen { get; }

    /// <summary>Whether consecutive windows share a token.</summary>
    public bool Overlap { get; }

    /// <summary>Tokens in the split's stream.</summary>
    public long TotalTokens { get; }

    /// <summary>Number of windows.</summary>
    public long Count { get; }

    /// <summary>Token offsets where the split's documents start.</summary>
    public ReadOnlySpan<long> DocumentStarts => _documentStarts;

    /// <summary>
    /// Reads window <paramref name="window"/>: <paramref name="inputs"/> = tokens [s, s + SeqLen),
    /// <paramref name="targets"/> = tokens [s + 1, s + SeqLen + 1), <paramref name="documentIds"/> =
    /// document ids of the inputs, restarting at 0 in every window. Each span holds SeqLen values.
    /// </summary>
    public void ReadWindow(long window, Span<long> inputs, Span<long> targets, Span<long> documentIds)
    {
        if ((ulong)window >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(window), $"window {window} outside [0, {Count})");
        if (inputs.Length != SeqLen || targets.Length != SeqLen || documentIds.Length != SeqLen)
            throw new ArgumentException($"each span must hold SeqLen = {SeqLen} values");
        long start = TokenPacker.WindowStart(window, SeqLen, Overlap);
        Span<long> tokens = SeqLen + 1 <= 4096 ? stackalloc long[SeqLen + 1] : new long[SeqLen + 1];
        CopyTokens(start, tokens);
        tokens[..SeqLen].CopyTo(inputs);
        tokens[1..].CopyTo(targets);
        TokenPacker.DocumentIds(_documentStarts, start, documentIds);
    }

    /// <summary>Copies stream tokens [<paramref name="start"/>, start + destination.Length), across shards.</summary>
    public void CopyTokens(long start, Span<long> destination)
    {
        int shard = Array.BinarySearch(_shardStarts, start);
        if (shard < 0) shard = ~shard - 1;
        while (!destination.IsEmpty)
        {
            long local = start - _shardStarts[shard];
            int n = (int)Math.Min(destination.Length, _shards[shard].Tokens - local);
            _shards[shard].CopyTo(local, destination[..n]);
            destination = destination[n..];
            start += n;
            shard++;
        }
    }

    /// <summary>Unmaps the shards.</summary>
    public void Dispose()
    {
        foreach (var s in _shards) s.Dispose();
    }
}
