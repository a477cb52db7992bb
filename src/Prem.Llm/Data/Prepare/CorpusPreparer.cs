using System.Collections.Concurrent;
using Prem.Llm.Text;

namespace Prem.Llm.Data.Prepare;

/// <summary>
/// Turns a corpus into token shards (<c>prem prepare</c>). The input records are cut into chunks of
/// <see cref="PrepareOptions.RecordsPerShard"/>; each chunk is tokenized by
/// <see cref="PrepareOptions.Workers"/> threads into a results array in input order (so the output is
/// the same for any worker count) while the next chunk is read, then written as one shard per split,
/// and the manifest is saved as the progress record. A run interrupted at any point resumes after the
/// last saved chunk and ends with the same bytes as an uninterrupted run.
/// </summary>
public sealed class CorpusPreparer
{
    private const string Train = "train", Val = "val";
    private readonly ITextTokenizer _tokenizer;
    private readonly PrepareOptions _options;
    private readonly RecordProcessor _processor;

    /// <summary>Creates a preparer.</summary>
    /// <param name="tokenizer">Must be safe to call concurrently when <see cref="PrepareOptions.Workers"/> &gt; 1.</param>
    /// <param name="options">The settings.</param>
    public CorpusPreparer(ITextTokenizer tokenizer, PrepareOptions options)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Workers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.RecordsPerShard);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SeqLen);
        if (options.ValFraction is < 0 or >= 1 || double.IsNaN(options.ValFraction))
            throw new ArgumentOutOfRangeException(nameof(options), options.ValFraction, "ValFraction must be in [0, 1).");
        _tokenizer = tokenizer;
        _options = options;
        _processor = new RecordProcessor(tokenizer, options.TextField, options.MinTokens, options.DropCode);
    }

    /// <summary>Prepares the corpus, or resumes or confirms an earlier run in the same output folder.</summary>
    /// <exception cref="DataFormatException">Malformed input (unless skipping bad lines), or an output folder holding a preparation with other settings.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the run can be resumed.</exception>
    public PrepareSummary Run(IProgress<PrepareProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var files = CorpusFiles.Enumerate(_options.Input);
        Directory.CreateDirectory(_options.Output);
        var manifest = Begin(files);
        long resumed = manifest.ChunksDone;
        if (manifest.Complete) return PrepareSummary.From(manifest, resumed);

        var dtype = TokenDTypes.Parse(manifest.DType);
        var replaced = _options.ReplaceInvalidUtf8 ? new Utf8Replacements() : null;
        using var records = CorpusReader.Read(files, _options.TextFileSplit, replaced).GetEnumerator();
        for (long i = 0; i < manifest.RecordsRead; i++)
            if (!records.MoveNext()) throw new DataFormatException("input has fewer records than the run being resumed", _options.Input);

        Task<CorpusRecord[]> pending = Task.Run(() => ReadChunk(records), cancellationToken);
        try
        {
            while (true)
            {
                var chunk = pending.Result;
                if (chunk.Length == 0) break;
                pending = Task.Run(() => ReadChunk(records), cancellationToken);
                var results = Tokenize(chunk, cancellationToken);
                Commit(manifest, chunk, results, dtype);
                progress?.Report(new PrepareProgress(manifest.RecordsRead, manifest.Splits.Values.Sum(s => s.Documents),
                    manifest.Splits.Values.Sum(s => s.Tokens), manifest.InputBytes, manifest.ChunksDone, resumed));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (AggregateException e)
        {
            // Surface the reader's or a worker's own exception (a DataFormatException names file and line).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
        finally
        {
            // The reader task owns the enumerator until it finishes; let it finish before disposal.
            try { pending.Wait(CancellationToken.None); } catch (AggregateException) { }
        }

        foreach (var (_, counts) in manifest.Splits)
        {
            counts.Sequences = TokenPacker.WindowCount(counts.Tokens, _options.SeqLen, _options.OverlapWindows);
            counts.DroppedTailTokens = TokenPacker.DroppedTail(counts.Tokens, _options.SeqLen, _options.OverlapWindows);
        }
        manifest.Complete = true;
        manifest.Save(_options.Output);
        return PrepareSummary.From(manifest, resumed) with { InvalidUtf8Replaced = replaced?.ToSorted() ?? new SortedDictionary<string, long>() };
    }

    private PrepareManifest Begin(IReadOnlyList<string> files)
    {
        // Temporary files are shards or manifests a crash cut short; the chunk they belong to is redone.
        foreach (var tmp in Directory.EnumerateFiles(_options.Output, "*.tmp")) File.Delete(tmp);
        var fresh = NewManifest(files);
        var existingPath = Path.Combine(_options.Output, PrepareManifest.FileName);
        if (!File.Exists(existingPath))
        {
            fresh.Save(_options.Output);
            return fresh;
        }
        var existing = PrepareManifest.Load(_options.Output);
        if (existing.FirstDifference(fresh) is { } field)
            throw new DataFormatException(
                $"output folder holds a preparation with a different '{field}'; use an empty folder", existingPath);
        return existing;
    }

    private PrepareManifest NewManifest(IReadOnlyList<string> files)
    {
        var root = Directory.Exists(_options.Input) ? Path.GetFullPath(_options.Input) : Path.GetDirectoryName(files[0])!;
        return new PrepareManifest
        {
            TokenizerHash = _options.TokenizerHash,
            VocabSize = _tokenizer.VocabSize,
            BosId = _tokenizer.BosId,
            EosId = _tokenizer.EosId,
            DType = TokenDTypes.ForVocabulary(_tokenizer.VocabSize).Name(),
            Seed = _options.Seed,
            ValFraction = _options.ValFraction,
            MinTokens = _options.MinTokens,
            DropCode = _options.DropCode,
            TextField = _options.TextField,
            TextFileSplit = _options.TextFileSplit.ToString(),
            SkipBadLines = _options.SkipBadLines,
            RecordsPerShard = _options.RecordsPerShard,
            SeqLen = _options.SeqLen,
            OverlapWindows = _options.OverlapWindows,
            Inputs = files.Select(f => new InputFileInfo(
                Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'), new FileInfo(f).Length)).ToList(),
        };
    }

    private CorpusRecord[] ReadChunk(IEnumerator<CorpusRecord> records)
    {
        var chunk = new List<CorpusRecord>();
        while (chunk.Count < _options.RecordsPerShard && records.MoveNext()) chunk.Add(records.Current);
        return chunk.ToArray();
    }

    private ProcessedRecord[] Tokenize(CorpusRecord[] chunk, CancellationToken cancellationToken)
    {
        var results = new ProcessedRecord[chunk.Length];
        if (_options.Workers == 1)
        {
            for (int i = 0; i < chunk.Length; i++) results[i] = _processor.Process(chunk[i]);
            return results;
        }
        // Small ranges keep threads balanced when document lengths vary; each slot is written once.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.Workers, CancellationToken = cancellationToken };
        Parallel.ForEach(Partitioner.Create(0, chunk.Length, 16), parallel, range =>
        {
            for (int i = range.Item1; i < range.Item2; i++) results[i] = _processor.Process(chunk[i]);
        });
        return results;
    }

    private void Commit(PrepareManifest manifest, CorpusRecord[] chunk, ProcessedRecord[] results, TokenDType dtype)
    {
        var docs = new Dictionary<string, List<int[]>> { [Train] = [], [Val] = [] };
        for (int i = 0; i < results.Length; i++)
        {
            var r = results[i];
            manifest.InputBytes += r.TextBytes;
            if (r.SkipReason is { } reason)
            {
                if (SkipReasons.IsBadLine(reason) && !_options.SkipBadLines)
                    throw new DataFormatException(r.Message ?? reason, chunk[i].FilePath, chunk[i].Line);
                manifest.Skipped[reason] = manifest.Skipped.GetValueOrDefault(reason) + 1;
                continue;
            }
            long recordIndex = manifest.RecordsRead + i;
            bool val = _options.ValFraction > 0 && StableHash.Unit(_options.Seed, recordIndex) < _options.ValFraction;
            docs[val ? Val : Train].Add(r.Tokens!);
        }
        long c = manifest.ChunksDone;
        foreach (var split in (string[])[Train, Val])
        {
            if (docs[split].Count == 0) continue;
            var shard = TokenShard.Write(_options.Output, $"{split}-{c:D6}", split, c, dtype, docs[split]);
            manifest.Shards.Add(shard);
            var counts = manifest.Split(split);
            counts.Documents += shard.Documents;
            counts.Tokens += shard.Tokens;
        }
        manifest.RecordsRead += chunk.Length;
        manifest.ChunksDone++;
        manifest.Save(_options.Output);
    }
}
