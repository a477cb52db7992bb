namespace Prem.Llm.Text;

/// <summary>
/// What the SentencePiece and tiktoken tokenizers share: added tokens, BOS/EOS/PAD, HF-style
/// splitting at added tokens, decoding through a <see cref="TokenByteTable"/>.
/// </summary>
public abstract class TextTokenizerBase : ITextTokenizer
{
    readonly Dictionary<string, AddedToken> _addedByContent;
    readonly AddedTokenSplitter _splitter;
    TokenByteTable? _table;

    /// <summary>Sets up the added tokens and the special ids (resolved by the derived class).</summary>
    protected TextTokenizerBase(IReadOnlyList<AddedToken> addedTokens)
    {
        AddedTokens = addedTokens;
        _addedByContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        foreach (var t in addedTokens) _addedByContent[t.Content] = t;
        _splitter = new AddedTokenSplitter(addedTokens);
    }

    /// <summary>Tokens added on top of the model vocabulary (and model specials HF lists as added).</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <inheritdoc/>
    public abstract int VocabSize { get; }

    /// <inheritdoc/>
    public int BosId { get; protected init; }

    /// <inheritdoc/>
    public int EosId { get; protected init; }

    /// <inheritdoc/>
    public int? PadId { get; protected init; }

    /// <summary>The decode table; built on first use.</summary>
    internal TokenByteTable ByteTable => _table ??= BuildByteTable();

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text, bool addBos = false, bool addEos = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        if (addBos) ids.Add(BosId);
        EncodeOrdinary(text, startOfInput: true, ids);
        if (addEos) ids.Add(EosId);
        return ids;
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> EncodeSegment(string text, bool followsSpecialToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        EncodeOrdinary(text, startOfInput: !followsSpecialToken, ids);
        return ids;
    }

    /// <summary>
    /// Encodes like HF's <c>tokenizer(text)</c>: added-token strings in <paramref name="text"/> become their
    /// ids and the text between them is encoded segment by segment. Use it only on trusted text
    /// (rendered templates); user text belongs in <see cref="Encode"/>.
    /// </summary>
    public IReadOnlyList<int> EncodeWithSpecialTokens(string text, bool addBos = false, bool addEos = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        if (addBos) ids.Add(BosId);
        EncodeWithAddedTokens(text, ids);
        if (addEos) ids.Add(EosId);
        return ids;
    }

    /// <summary>Appends the ids of <paramref name="text"/> with added-token strings matched (HF's splitting by default).</summary>
    private protected virtual void EncodeWithAddedTokens(string text, List<int> output)
    {
        foreach (var split in _splitter.Split(text))
        {
            if (split.Token is not null) output.Add(split.Token.Id);
            else EncodeOrdinary(text.Substring(split.Start, split.Length), startOfInput: split.Start == 0, output);
        }
    }

    /// <summary>Encodes many texts on all cores; the result keeps the input order.</summary>
    public int[][] EncodeBatch(IReadOnlyList<string> texts, bool addBos = false, bool addEos = false, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new int[texts.Count][];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        Parallel.For(0, texts.Count, options, i => result[i] = [.. Encode(texts[i], addBos, addEos)]);
        return result;
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => ByteTable.Decode(ids, skipSpecialTokens);

    /// <summary>A decoder that takes ids one at a time and returns text deltas (for streaming generation).</summary>
    public StreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = true) => ByteTable.CreateStreamingDecoder(skipSpecialTokens);

    /// <inheritdoc/>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _addedByContent.TryGetValue(token, out var t) ? t.Id : VocabularyTokenToId(token);
    }

    /// <summary>Encodes ordinary text (no added-token matching); <paramref name="startOfInput"/> selects the dummy prefix rule.</summary>
    protected abstract void EncodeOrdinary(string text, bool startOfInput, List<int> output);

    /// <summary>The id of a model-vocabulary token string, or null.</summary>
    protected abstract int? VocabularyTokenToId(string token);

    /// <summary>Builds the bytes for every id, added tokens included.</summary>
    private protected abstract TokenByteTable BuildByteTable();

    /// <summary>Resolves a special token string (e.g. "&lt;s&gt;") to its id, or throws naming <paramref name="source"/>.</summary>
    protected int ResolveSpecial(string token, string source, string field) =>
        TokenToId(token) ?? throw new TextDataException(source, $"token '{token}' is not in the vocabulary.", field);
}
