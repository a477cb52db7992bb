using System.Collections.Concurrent;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Prem.Llm.Text;

/// <summary>
/// The Llama-2-family tokenizer (Llama-2, TinyLlama, Prem-1B): a SentencePiece BPE <c>tokenizer.model</c>
/// plus HF added tokens, giving exactly SentencePiece's ids. Normalisation is Microsoft.ML.Tokenizers'
/// <see cref="SentencePieceNormalizer"/> configured from the model's NormalizerSpec (or
/// <see cref="ExtraWhitespaceNormalizer"/> when remove_extra_whitespaces is on); the merges are
/// <see cref="SentencePieceBpe"/> (leftmost tie-break), cached per whitespace-delimited word.
/// </summary>
internal sealed class SentencePieceTextTokenizer : TextTokenizerBase
{
    // Longer words are rare and would only bloat the cache; the cap keeps memory bounded on any corpus.
    const int MaxCachedWordLength = 64;
    const int MaxCacheEntries = 1 << 20;

    readonly SentencePieceBpe _bpe;
    readonly SentencePieceNormalizer _prefixed;
    readonly SentencePieceNormalizer _unprefixed;
    readonly Dictionary<string, int> _pieceToId;
    readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    readonly int _vocabSize;
    // ConcurrentDictionary.Count takes every lock of the table, so the size is tracked here instead.
    int _cachedWords;

    /// <summary>
    /// Creates the tokenizer. <paramref name="bosToken"/>, <paramref name="eosToken"/> and <paramref name="padToken"/>
    /// override the model's own ids (HF <c>tokenizer_config.json</c>); <paramref name="source"/> names the model in errors.
    /// </summary>
    public SentencePieceTextTokenizer(SentencePieceModelProto model, string source, IReadOnlyList<AddedToken>? addedTokens = null,
        string? bosToken = null, string? eosToken = null, string? padToken = null, DummyPrefixMode dummyPrefix = DummyPrefixMode.EverySegment)
        : base(addedTokens ?? [])
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.ModelType != 2)
            throw new TextDataException(source, $"only BPE SentencePiece models are supported; this one has model_type {model.ModelType}.", "trainer_spec.model_type");
        if (model.TreatWhitespaceAsSuffix)
            throw new TextDataException(source, "treat_whitespace_as_suffix models are not supported.", "trainer_spec.treat_whitespace_as_suffix");
        if (model.HasPrecompiledCharsMap)
            throw new TextDataException(source, $"normalizer '{model.NormalizerName}' uses a precompiled character map, which is not supported (Llama-family models use 'identity').", "normalizer_spec.precompiled_charsmap");
        Model = model;
        DummyPrefix = dummyPrefix;
        _bpe = new SentencePieceBpe(model);
        _prefixed = new SentencePieceNormalizer(removeExtraWhiteSpaces: false, model.AddDummyPrefix, model.EscapeWhitespaces, treatWhitespaceAsSuffix: false, specialTokens: null);
        _unprefixed = new SentencePieceNormalizer(removeExtraWhiteSpaces: false, addDummyPrefix: false, model.EscapeWhitespaces, treatWhitespaceAsSuffix: false, specialTokens: null);
        _pieceToId = new Dictionary<string, int>(model.Pieces.Count, StringComparer.Ordinal);
        for (int id = 0; id < model.Pieces.Count; id++) _pieceToId.TryAdd(model.Pieces[id].Piece, id);
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        _vocabSize = Math.Max(model.Pieces.Count, AddedTokens.Count == 0 ? 0 : AddedTokens.Max(t => t.Id) + 1);
        BosId = bosToken is null ? model.BosId : ResolveSpecial(bosToken, source, "bos_token");
        EosId = eosToken is null ? model.EosId : ResolveSpecial(eosToken, source, "eos_token");
        PadId = padToken is not null ? ResolveSpecial(padToken, source, "pad_token") : model.PadId >= 0 ? model.PadId : null;
    }

    /// <summary>Loads a bare <c>tokenizer.model</c> (no added tokens).</summary>
    public static SentencePieceTextTokenizer FromFile(string path, DummyPrefixMode dummyPrefix = DummyPrefixMode.EverySegment) =>
        new(SentencePieceModelProto.Parse(File.ReadAllBytes(path), path), path, dummyPrefix: dummyPrefix);

    /// <summary>The parsed model file.</summary>
    public SentencePieceModelProto Model { get; }

    /// <summary>The dummy-prefix convention for text after added tokens.</summary>
    public DummyPrefixMode DummyPrefix { get; }

    /// <inheritdoc/>
    public override int VocabSize => _vocabSize;

    /// <summary>Number of words in the per-word id cache.</summary>
    public int CachedWordCount => Volatile.Read(ref _cachedWords);

    /// <summary>Empties the per-word id cache (ids do not change; only speed does).</summary>
    public void ClearWordCache()
    {
        _cache.Clear();
        Volatile.Write(ref _cachedWords, 0);
    }

    /// <summary>The SentencePiece normal form of <paramref name="text"/> ("▁" for spaces, dummy prefix when asked).</summary>
    public string Normalize(string text, bool addDummyPrefix = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return "";
        if (Model.RemoveExtraWhitespaces) return ExtraWhitespaceNormalizer.Normalize(text, addDummyPrefix && Model.AddDummyPrefix);
        return (addDummyPrefix ? _prefixed : _unprefixed).Normalize(text);
    }

    /// <inheritdoc/>
    protected override void EncodeOrdinary(string text, bool startOfInput, List<int> output)
    {
        bool prefix = startOfInput || DummyPrefix == DummyPrefixMode.EverySegment;
        string normalized = Normalize(text, prefix);
        if (!_bpe.WordsAreIndependent)
        {
            _bpe.Encode(normalized, output);
            return;
        }
        var span = normalized.AsSpan();
        int start = 0;
        for (int i = 1; i <= span.Length; i++)
        {
            if (i < span.Length && !(span[i] == '\u2581' && span[i - 1] != '\u2581')) continue;
            AppendWord(span[start..i], output);
            start = i;
        }
    }

    void AppendWord(ReadOnlySpan<char> word, List<int> output)
    {
        if (!_cacheLookup.TryGetValue(word, out int[]? ids))
        {
            var fresh = new List<int>(word.Length);
            _bpe.Encode(word, fresh);
            ids = [.. fresh];
            if (word.Length <= MaxCachedWordLength && Volatile.Read(ref _cachedWords) < MaxCacheEntries && _cacheLookup.TryAdd(word, ids))
                Interlocked.Increment(ref _cachedWords);
        }
        // Without byte fallback SentencePiece folds adjacent unknowns into one, across words too.
        int skip = !_bpe.ByteFallback && ids.Length > 0 && ids[0] == _bpe.UnkId && output.Count > 0 && output[^1] == _bpe.UnkId ? 1 : 0;
        output.AddRange(ids.AsSpan(skip));
    }

    /// <inheritdoc/>
    protected override int? VocabularyTokenToId(string token) => _pieceToId.TryGetValue(token, out int id) ? id : null;

    /// <inheritdoc/>
    private protected override TokenByteTable BuildByteTable()
    {
        var bytes = new byte[VocabSize][];
        var special = new bool[VocabSize];
        for (int id = 0; id < VocabSize; id++)
        {
            bytes[id] = [];
            special[id] = true;
        }
        for (int id = 0; id < Model.Pieces.Count; id++)
        {
            var (piece, _, type) = Model.Pieces[id];
            special[id] = type is SentencePieceType.Control or SentencePieceType.Unknown;
            bytes[id] = type == SentencePieceType.Byte
                ? [Convert.ToByte(piece.Substring(3, 2), 16)]
                : Encoding.UTF8.GetBytes(special[id] ? piece : piece.Replace('\u2581', ' '));
        }
        foreach (var t in AddedTokens)
        {
            bytes[t.Id] = Encoding.UTF8.GetBytes(t.Content);
            special[t.Id] = t.Special;
        }
        return new TokenByteTable(bytes, special, stripLeadingSpace: Model.AddDummyPrefix);
    }
}
