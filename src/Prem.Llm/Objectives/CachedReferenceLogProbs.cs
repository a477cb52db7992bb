using Prem.Llm.Checkpoints;
using Prem.Llm.Data;
using Prem.Llm.Distributed;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>
/// Reference log-probs computed once over a data set and cached on disk, so no reference model is
/// in memory while training. Looked up by <see cref="TrainingBatch.ExampleIds"/>. The file is
/// little-endian binary: the magic <c>PREMREF1</c>, the record count (int64), then per example its
/// id (int64) and chosen sum, chosen count, rejected sum, rejected count (float32 each).
/// </summary>
public sealed class CachedReferenceLogProbs : IReferenceLogProbs
{
    private static readonly byte[] _magic = "PREMREF1"u8.ToArray();
    private readonly Dictionary<long, float[]> _records;

    private CachedReferenceLogProbs(Dictionary<long, float[]> records) => this._records = records;

    /// <summary>Number of cached examples.</summary>
    public int Count => _records.Count;

    /// <summary>
    /// Runs <paramref name="reference"/> over <paramref name="batches"/> (which must carry example ids),
    /// writes the cache to <paramref name="path"/> atomically and returns it loaded.
    /// </summary>
    /// <param name="reference">The frozen reference model.</param>
    /// <param name="batches">The examples; under data parallel this rank's shard only (a source built with
    /// <c>BatchLoaderOptions.ForRank</c>), so the ranks share the work.</param>
    /// <param name="path">The cache file, written by rank 0 alone.</param>
    /// <param name="communicator">The data-parallel group; null for one process. Every rank must call this.</param>
    public static CachedReferenceLogProbs Precompute(LlamaForCausalLM reference, IEnumerable<PreferenceBatch> batches, string path,
        ICommunicator? communicator = null)
    {
        var live = new ModelReferenceLogProbs(reference);
        var records = new Dictionary<long, float[]>();
        foreach (var batch in batches)
        {
            var ids = batch.ExampleIds ?? throw new ArgumentException("Precomputing reference log-probs needs batches with ExampleIds.", nameof(batches));
            using var scope = NewDisposeScope();
            var (cs, cc, rs, rc) = live.Get(batch);
            var columns = new[] { cs, cc, rs, rc }.Select(t => t.cpu().data<float>().ToArray()).ToArray();
            for (int i = 0; i < ids.Count; i++)
                records[ids[i]] = [columns[0][i], columns[1][i], columns[2][i], columns[3][i]];
        }
        if (communicator is { Size: > 1 }) records = Gather(records, communicator);
        if (communicator is not null && communicator.Rank != 0)
        {
            // Nobody reads the file before rank 0 has finished writing it.
            communicator.Barrier();
            return new CachedReferenceLogProbs(records);
        }
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(_magic);
            writer.Write((long)records.Count);
            foreach (var (id, v) in records)
            {
                writer.Write(id);
                foreach (var x in v) writer.Write(x);
            }
        });
        communicator?.Barrier();
        return new CachedReferenceLogProbs(records);
    }

    /// <summary>
    /// Every rank's records on every rank, by all-reduce: each rank writes its records into its own
    /// slot range of a zeroed buffer, so the sum is the concatenation. float64 carries the int64 ids
    /// exactly below 2⁵³ and the float32 values exactly.
    /// </summary>
    private static Dictionary<long, float[]> Gather(Dictionary<long, float[]> local, ICommunicator communicator)
    {
        const int Width = 5;
        var counts = new double[communicator.Size];
        counts[communicator.Rank] = local.Count;
        communicator.AllReduce(counts.AsSpan());
        long total = (long)counts.Sum(), offset = (long)counts.Take(communicator.Rank).Sum();
        var buffer = new double[total * Width];
        long k = offset * Width;
        foreach (var (id, v) in local)
        {
            if (Math.Abs(id) >= 1L << 53) throw new ArgumentException($"Example id {id} is too large to gather across ranks (≥ 2^53).");
            buffer[k++] = id;
            foreach (var x in v) buffer[k++] = x;
        }
        communicator.AllReduce(buffer.AsSpan());
        var all = new Dictionary<long, float[]>((int)total);
        for (long i = 0; i < total; i++)
        {
            long at = i * Width;
            all[(long)buffer[at]] = [(float)buffer[at + 1], (float)buffer[at + 2], (float)buffer[at + 3], (float)buffer[at + 4]];
        }
        return all;
    }

    /// <summary>Loads a cache written by <see cref="Precompute"/>; throws <see cref="InvalidDataException"/> naming the file when it is malformed.</summary>
    public static CachedReferenceLogProbs Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Reference log-prob cache not found: {path}", path);
        using var reader = new BinaryReader(File.OpenRead(path));
        if (!reader.ReadBytes(_magic.Length).AsSpan().SequenceEqual(_magic))
            throw new InvalidDataException($"{path}: not a reference log-prob cache (bad magic).");
        long count = reader.ReadInt64();
        long expected = 8 + 8 + count * (8 + 16);
        if (count < 0 || reader.BaseStream.Length != expected)
            throw new InvalidDataException($"{path}: {count} records need {expected} bytes; the file has {reader.BaseStream.Length}.");
        var records = new Dictionary<long, float[]>((int)count);
        for (long i = 0; i < count; i++)
            records[reader.ReadInt64()] = [reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle()];
        return new CachedReferenceLogProbs(records);
    }

    /// <inheritdoc />
    public (Tensor ChosenSums, Tensor ChosenCounts, Tensor RejectedSums, Tensor RejectedCounts) Get(PreferenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ids = batch.ExampleIds ?? throw new ArgumentException("Cached reference log-probs need batches with ExampleIds.", nameof(batch));
        var columns = new float[4][];
        for (int c = 0; c < 4; c++) columns[c] = new float[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            if (!_records.TryGetValue(ids[i], out var v))
                throw new KeyNotFoundException($"Example {ids[i]} is not in the reference log-prob cache; precompute it over the same data.");
            for (int c = 0; c < 4; c++) columns[c][i] = v[c];
        }
        var device = batch.Chosen.InputIds.device;
        return (tensor(columns[0], device: device), tensor(columns[1], device: device),
            tensor(columns[2], device: device), tensor(columns[3], device: device));
    }
}
