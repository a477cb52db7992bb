using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Prem.Llm.Text;

/// <summary>
/// The BPE <c>model</c> of tokenizer.json, as tokenizers' <c>models/bpe</c> runs it: a word becomes one
/// symbol per character (with <c>continuing_subword_prefix</c>/<c>end_of_word_suffix</c>), characters
/// missing from the vocabulary become <c>&lt;0xXX&gt;</c> byte tokens (<c>byte_fallback</c>) or the unknown
/// token (consecutive ones fused with <c>fuse_unk</c>; dropped when there is no <c>unk_token</c>), then
/// merges apply lowest rank first, leftmost first among equal ranks (a min-heap with stale entries
/// skipped, like <c>Word::merge_all</c>). With <c>ignore_merges</c> a word that is itself in the
/// vocabulary is one token. Ids are cached per word.
/// </summary>
/// <remarks>
/// Written by hand rather than with Microsoft.ML.Tokenizers' <c>BpeTokenizer</c>: 2.0.1 has no
/// <c>ignore_merges</c> (Llama-3 needs it) and no byte-level input mode that takes words already cut by a
/// tokenizer.json pre-tokenizer chain, and its internals (merge ranks, vocabulary) are not reachable to
/// combine with our own pipeline.
/// </remarks>
internal sealed class HfBpe
{
    /// <summary>Most tokens a vocabulary may have (a hostile file fails before allocating tables for it).</summary>
    public const int MaxVocabulary = 4_000_000;

    const int MaxCachedWordLength = 64;
    const int MaxCacheEntries = 1 << 20;

    [ThreadStatic] static PriorityQueue<long, long>? _queue;

    readonly Dictionary<string, int> _vocab;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabLookup;
    readonly string?[] _idToToken;
    readonly Dictionary<long, (int Rank, int NewId)> _merges;
    readonly int _unkId;   // -1: none
    readonly bool _fuseUnk, _byteFallback, _ignoreMerges;
    readonly string? _prefix, _suffix;
    readonly int[] _byteIds = new int[256];
    readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    int _cachedWords;

    HfBpe(Dictionary<string, int> vocab, string?[] idToToken, Dictionary<long, (int, int)> merges, int unkId, bool fuseUnk, bool byteFallback,
        bool ignoreMerges, string? prefix, string? suffix)
    {
        _vocab = vocab;
        _vocabLookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _idToToken = idToToken;
        _merges = merges;
        _unkId = unkId;
        _fuseUnk = fuseUnk;
        _byteFallback = byteFallback;
        _ignoreMerges = ignoreMerges;
        _prefix = prefix;
        _suffix = suffix;
        for (int b = 0; b < 256; b++) _byteIds[b] = vocab.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1;
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Words arrive as plain text and are mapped to the byte-level alphabet here (see <see cref="HfPreTokenizer.DeferByteMapping"/>).</summary>
    public bool ByteLevelInput { get; set; }

    /// <summary>Number of vocabulary tokens (tokenizers' <c>get_vocab_size</c>).</summary>
    public int TokenCount => _vocab.Count;

    /// <summary>One past the largest vocabulary id.</summary>
    public int IdCount => _idToToken.Length;

    /// <summary>Number of words in the cache.</summary>
    public int CachedWordCount => Volatile.Read(ref _cachedWords);

    /// <summary>The id of a vocabulary token, or null.</summary>
    public int? TokenToId(string token) => _vocab.TryGetValue(token, out int id) ? id : null;

    /// <summary>The vocabulary token of an id, or null.</summary>
    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>Reads a <c>model</c> object of type BPE.</summary>
    public static HfBpe Parse(JsonElement e, HfJsonReader json, string field)
    {
        json.Object(e, field);
        string type = json.OptionalString(e, "type", field) ?? "BPE";
        if (type != "BPE")
            throw json.Error(field + ".type", $"model type '{type}' is not supported (only BPE; WordPiece, WordLevel and Unigram are not).");
        json.OnlyKnown(e, field, "type", "dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", "byte_fallback",
            "ignore_merges", "vocab", "merges");
        if (e.TryGetProperty("dropout", out var dropout) && dropout.ValueKind != JsonValueKind.Null
            && !(dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() == 0))
            throw json.Error(field + ".dropout", "BPE dropout is random; refusing it (set dropout to null for deterministic ids).");
        string? prefix = NullIfEmpty(json.OptionalString(e, "continuing_subword_prefix", field));
        string? suffix = NullIfEmpty(json.OptionalString(e, "end_of_word_suffix", field));

        var vocabJson = json.Object(json.Property(e, "vocab", field), field + ".vocab");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        int maxId = -1;
        foreach (var p in vocabJson.EnumerateObject())
        {
            if (vocab.Count >= MaxVocabulary) throw json.Error(field + ".vocab", $"more than {MaxVocabulary:N0} tokens.");
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                throw json.Error(field + ".vocab." + p.Name, "expected a non-negative integer id.");
            if (!vocab.TryAdd(p.Name, id)) throw json.Error(field + ".vocab." + p.Name, "token appears twice.");
            maxId = Math.Max(maxId, id);
        }
        if (maxId >= 2 * vocab.Count + 1024)
            throw json.Error(field + ".vocab", $"ids are sparse: the largest is {maxId} for {vocab.Count} tokens.");
        var idToToken = new string?[maxId + 1];
        foreach (var (token, id) in vocab)
        {
            if (idToToken[id] is not null) throw json.Error(field + ".vocab." + token, $"id {id} is also '{idToToken[id]}'.");
            idToToken[id] = token;
        }

        var merges = new Dictionary<long, (int, int)>();
        int rank = 0;
        foreach (var m in json.Array(json.Property(e, "merges", field), field + ".merges").EnumerateArray())
        {
            string mf = $"{field}.merges[{rank}]";
            string a, b;
            if (m.ValueKind == JsonValueKind.String)
            {
                string s = m.GetString()!;
                int space = s.IndexOf(' ');
                if (space < 0) throw json.Error(mf, $"merge \"{s}\" is not two tokens separated by a space.");
                (a, b) = (s[..space], s[(space + 1)..]);
            }
            else if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2 && m[0].ValueKind == JsonValueKind.String && m[1].ValueKind == JsonValueKind.String)
            {
                (a, b) = (m[0].GetString()!, m[1].GetString()!);
            }
            else throw json.Error(mf, "expected \"a b\" or [\"a\", \"b\"].");
            if (!vocab.TryGetValue(a, out int aId)) throw json.Error(mf, $"merge token '{a}' is not in the vocabulary.");
            if (!vocab.TryGetValue(b, out int bId)) throw json.Error(mf, $"merge token '{b}' is not in the vocabulary.");
            string tail = b;
            if (prefix is not null)
                tail = b.StartsWith(prefix, StringComparison.Ordinal) ? b[prefix.Length..] : throw json.Error(mf, $"'{b}' lacks the continuing_subword_prefix.");
            if (!vocab.TryGetValue(a + tail, out int newId)) throw json.Error(mf, $"merged token '{a + tail}' is not in the vocabulary.");
            // tokenizers collects merges into a map, so a repeated pair keeps its last rank.
            merges[Key(aId, bId)] = (rank, newId);
            rank++;
        }

        string? unk = json.OptionalString(e, "unk_token", field);
        int unkId = -1;
        if (unk is not null && !vocab.TryGetValue(unk, out unkId)) throw json.Error(field + ".unk_token", $"'{unk}' is not in the vocabulary.");
        return new HfBpe(vocab, idToToken, merges, unk is null ? -1 : unkId, json.Bool(e, "fuse_unk", field, false), json.Bool(e, "byte_fallback", field, false),
            json.Bool(e, "ignore_merges", field, false), prefix, suffix);
    }

    static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    static long Key(int a, int b) => ((long)a << 32) | (uint)b;

    /// <summary>Appends the ids of one pre-tokenized word.</summary>
    public void EncodeWord(ReadOnlySpan<char> word, List<int> output)
    {
        if (word.IsEmpty) return;
        if (_cacheLookup.TryGetValue(word, out var cached)) { output.AddRange(cached); return; }
        int before = output.Count;
        if (ByteLevelInput) EncodeModelWord(ByteLevelAlphabet.Encode(word), output);
        else EncodeModelWord(word, output);
        if (word.Length <= MaxCachedWordLength && Volatile.Read(ref _cachedWords) < MaxCacheEntries
            && _cacheLookup.TryAdd(word, output.GetRange(before, output.Count - before).ToArray()))
            Interlocked.Increment(ref _cachedWords);
    }

    void EncodeModelWord(ReadOnlySpan<char> word, List<int> output)
    {
        if (_ignoreMerges && _vocabLookup.TryGetValue(word, out int whole)) { output.Add(whole); return; }
        var ids = new List<int>(word.Length);
        int pendingUnk = -1;   // tokenizers holds back an unknown so that fuse_unk can extend it
        int i = 0;
        while (i < word.Length)
        {
            int n = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            var piece = word.Slice(i, n);
            bool first = i == 0, last = i + n == word.Length;
            int id;
            if ((_prefix is null || first) && (_suffix is null || !last)) id = _vocabLookup.TryGetValue(piece, out int v) ? v : -1;
            else id = _vocab.TryGetValue((first ? "" : _prefix) + piece.ToString() + (last ? _suffix : ""), out int v) ? v : -1;
            i += n;
            if (id >= 0)
            {
                if (pendingUnk >= 0) { ids.Add(pendingUnk); pendingUnk = -1; }
                ids.Add(id);
                continue;
            }
            if (_byteFallback && TryAddBytes(piece, first, last, ids)) continue;
            if (_unkId >= 0)
            {
                if (pendingUnk >= 0 && !_fuseUnk) ids.Add(pendingUnk);
                pendingUnk = _unkId;
            }
        }
        if (pendingUnk >= 0) ids.Add(pendingUnk);
        MergeAll(ids);
        output.AddRange(ids);
    }

    // Byte fallback covers the whole piece as tokenizers builds it (prefix and suffix included) or nothing.
    // Like tokenizers, a held-back unknown is not flushed first: it lands after these bytes.
    bool TryAddBytes(ReadOnlySpan<char> piece, bool first, bool last, List<int> ids)
    {
        string s = (first || _prefix is null ? "" : _prefix) + piece.ToString() + (last && _suffix is not null ? _suffix : "");
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        foreach (byte b in bytes) if (_byteIds[b] < 0) return false;
        foreach (byte b in bytes) ids.Add(_byteIds[b]);
        return true;
    }

    // tokenizers' Word::merge_all without dropout.
    void MergeAll(List<int> ids)
    {
        int n = ids.Count;
        if (n < 2 || _merges.Count == 0) return;
        var symbols = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
        Span<int> prev = n <= 256 ? stackalloc int[n] : new int[n];
        Span<int> next = n <= 256 ? stackalloc int[n] : new int[n];
        Span<bool> removed = n <= 256 ? stackalloc bool[n] : new bool[n];
        var queue = _queue ??= new PriorityQueue<long, long>();
        queue.Clear();
        for (int k = 0; k < n; k++)
        {
            prev[k] = k - 1;
            next[k] = k + 1 < n ? k + 1 : -1;
            if (k + 1 < n && _merges.TryGetValue(Key(symbols[k], symbols[k + 1]), out var m)) queue.Enqueue(Key(k, m.NewId), Key(m.Rank, k));
        }
        while (queue.TryDequeue(out long entry, out _))
        {
            int pos = (int)(entry >> 32), newId = (int)entry;
            if (removed[pos] || next[pos] < 0) continue;
            int right = next[pos];
            if (!_merges.TryGetValue(Key(symbols[pos], symbols[right]), out var current) || current.NewId != newId) continue;
            symbols[pos] = newId;
            removed[right] = true;
            next[pos] = next[right];
            if (next[right] >= 0) prev[next[right]] = pos;
            if (prev[pos] >= 0 && _merges.TryGetValue(Key(symbols[prev[pos]], newId), out var left))
                queue.Enqueue(Key(prev[pos], left.NewId), Key(left.Rank, prev[pos]));
            if (next[pos] >= 0 && _merges.TryGetValue(Key(newId, symbols[next[pos]]), out var after))
                queue.Enqueue(Key(pos, after.NewId), Key(after.Rank, pos));
        }
        int w = 0;
        for (int k = 0; k < n; k++) if (!removed[k]) symbols[w++] = symbols[k];
        ids.RemoveRange(w, n - w);
    }

    /// <summary>Empties the word cache.</summary>
    public void ClearCache()
    {
        _cache.Clear();
        Volatile.Write(ref _cachedWords, 0);
    }
}
