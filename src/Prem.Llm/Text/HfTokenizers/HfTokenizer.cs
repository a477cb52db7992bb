using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Prem.Llm.Text;

/// <summary>
/// A tokenizer read from an HF <c>tokenizer.json</c> (plus the folder's <c>tokenizer_config.json</c>,
/// <c>special_tokens_map.json</c> and <c>added_tokens.json</c>) that gives the ids of HF's Rust
/// <c>tokenizers</c>: added tokens are found first, each text segment is normalized, pre-tokenized into
/// words, and the words are encoded by the BPE model. Llama-3.x, Qwen, DeepSeek, Mistral and
/// SentencePiece-style BPE files load; a component or option this class does not implement is refused
/// naming it and the file.
/// </summary>
/// <remarks>
/// <para>Special tokens: <see cref="EncodeAsHf"/> is HF's <c>encode</c> — a special-token string typed in the
/// text becomes that token (unless <c>splitSpecialTokens</c>). <see cref="TextTokenizerBase.Encode"/> and
/// <see cref="ITextTokenizer.EncodeSegment"/> keep the library's guarantee instead: special tokens stay
/// text (HF's <c>split_special_tokens</c>); non-special added tokens (e.g. Qwen's <c>&lt;think&gt;</c>) are
/// still matched, as HF does.</para>
/// <para>BOS/EOS: <see cref="EncodeAsHf"/> with <c>addSpecialTokens</c> adds what transformers adds — the
/// tokenizer.json post-processor, or for <c>LlamaTokenizer(Fast)</c>/<c>GemmaTokenizer(Fast)</c> folders
/// <c>add_bos_token</c> (default true) and <c>add_eos_token</c> (default false) from the config, as
/// transformers rebuilds the post-processor for those classes. A folder without a BOS token (Qwen) uses its
/// EOS id as <see cref="ITextTokenizer.BosId"/>, as GPT-2-style tokenizers do.</para>
/// <para>Decoding is HF's <c>decode</c> through the file's decoder; transformers'
/// <c>clean_up_tokenization_spaces</c> is not applied.</para>
/// </remarks>
public sealed class HfTokenizer : TextTokenizerBase
{
    static readonly string[] _eosFallbacks = ["</s>", "<|endoftext|>", "<|end_of_text|>", "<｜end▁of▁sentence｜>", "<eos>"];
    static readonly string[] _llamaClasses =
        ["LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer", "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast"];

    readonly string _source;
    readonly HfNormalizer? _normalizer;
    readonly HfPreTokenizer? _preTokenizer;
    readonly HfBpe _model;
    readonly HfAddedVocabulary _added;
    readonly HfDecoder _decoder;
    readonly int _vocabSize;

    HfTokenizer(string source, IReadOnlyList<HfAddedToken> added, HfNormalizer? normalizer, HfPreTokenizer? preTokenizer, HfBpe model,
        HfPostProcessor post, HfDecoder decoder, HfTokenizerConfig config)
        : base([.. added.Select(a => a.Token)])
    {
        _source = source;
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _model = model;
        _added = new HfAddedVocabulary(added, normalizer);
        _decoder = decoder;
        _vocabSize = Math.Max(model.IdCount, added.Count == 0 ? 0 : added.Max(a => a.Token.Id) + 1);
        model.ByteLevelInput = preTokenizer?.DeferByteMapping() ?? false;

        EosId = config.EosToken is not null ? ResolveSpecial(config.EosToken, source, "eos_token")
            : _eosFallbacks.Select(TokenToId).FirstOrDefault(id => id is not null)
              ?? throw new TextDataException(source, "the folder names no eos_token; add tokenizer_config.json with one.", "eos_token");
        if (config.BosToken is not null) BosId = ResolveSpecial(config.BosToken, source, "bos_token");
        else BosId = post.Prefix.Length > 0 ? post.Prefix[0] : EosId;
        PadId = config.PadToken is null ? null : ResolveSpecial(config.PadToken, source, "pad_token");

        if (config.TokenizerClass is { } cls && _llamaClasses.Contains(cls))
        {
            bool addBos = config.AddBosToken ?? true, addEos = config.AddEosToken ?? false;
            if (addBos && config.BosToken is null) throw new TextDataException(source, $"{cls} adds a BOS token but the folder names none.", "bos_token");
            post = new HfPostProcessor(addBos ? [BosId] : [], addEos ? [EosId] : []);
        }
        foreach (int id in post.Prefix.Concat(post.Suffix))
            if (id >= _vocabSize) throw new TextDataException(source, $"post-processor id {id} is outside the vocabulary ({_vocabSize}).", "post_processor");
        SpecialTokensPrefix = post.Prefix;
        SpecialTokensSuffix = post.Suffix;
    }

    /// <summary>The ids <see cref="EncodeAsHf"/> puts before the text when adding special tokens (e.g. BOS).</summary>
    public IReadOnlyList<int> SpecialTokensPrefix { get; }

    /// <summary>The ids <see cref="EncodeAsHf"/> puts after the text when adding special tokens.</summary>
    public IReadOnlyList<int> SpecialTokensSuffix { get; }

    /// <inheritdoc/>
    public override int VocabSize => _vocabSize;

    /// <summary>Number of words in the per-word id cache.</summary>
    internal int CachedWordCount => _model.CachedWordCount;

    /// <summary>Empties the per-word id cache (ids do not change; only speed does).</summary>
    internal void ClearWordCache() => _model.ClearCache();

    /// <summary>
    /// Loads a folder with <c>tokenizer.json</c> (or the path of a <c>tokenizer.json</c> file; the JSON files
    /// beside it are read too).
    /// </summary>
    public static HfTokenizer Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string jsonPath = Directory.Exists(path) ? Path.Combine(path, "tokenizer.json") : path;
        if (!File.Exists(jsonPath)) throw new TextDataException(path, "no tokenizer.json here.");
        string folder = Path.GetDirectoryName(Path.GetFullPath(jsonPath))!;
        return FromJson(File.ReadAllBytes(jsonPath), jsonPath, HfTokenizerConfig.Read(folder));
    }

    /// <summary>Builds the tokenizer from the bytes of a tokenizer.json; <paramref name="source"/> names it in errors.</summary>
    internal static HfTokenizer FromJson(byte[] tokenizerJson, string source, HfTokenizerConfig config)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(tokenizerJson, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new TextDataException(source, "invalid JSON: " + e.Message, line: (e.LineNumber ?? 0) + 1, inner: e);
        }
        using (doc)
        {
            var json = new HfJsonReader(source);
            var root = json.Object(doc.RootElement, "$");
            json.OnlyKnown(root, "$", "version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer", "model", "post_processor", "decoder");
            if (root.TryGetProperty("truncation", out var truncation) && truncation.ValueKind != JsonValueKind.Null)
                throw json.Error("truncation", "truncation changes the ids of long texts; refusing it (set it to null).");
            if (root.TryGetProperty("padding", out var padding) && padding.ValueKind != JsonValueKind.Null
                && !(padding.ValueKind == JsonValueKind.Object && padding.TryGetProperty("strategy", out var strategy) && strategy.ValueKind == JsonValueKind.String
                    && strategy.GetString() == "BatchLongest"))
                throw json.Error("padding", "fixed-length padding changes the ids of one text; refusing it (set it to null).");

            var model = HfBpe.Parse(json.Property(root, "model", "$"), json, "model");
            var normalizer = root.TryGetProperty("normalizer", out var n) ? HfNormalizer.Parse(n, json, "normalizer") : null;
            var preTokenizer = root.TryGetProperty("pre_tokenizer", out var p) ? HfPreTokenizer.Parse(p, json, "pre_tokenizer") : null;
            var post = root.TryGetProperty("post_processor", out var pp) ? HfPostProcessor.Parse(pp, json, "post_processor") : HfPostProcessor.None;
            var decoder = HfDecoder.Parse(root.TryGetProperty("decoder", out var d) ? d : default, json, "decoder");
            var added = ReadAddedTokens(root, json, model, config);
            return new HfTokenizer(source, added, normalizer, preTokenizer, model, post, decoder, config);
        }
    }

    static List<HfAddedToken> ReadAddedTokens(JsonElement root, HfJsonReader json, HfBpe model, HfTokenizerConfig config)
    {
        var result = new List<HfAddedToken>();
        var ids = new HashSet<int>();
        var contents = new HashSet<string>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            int count = json.Array(list, "added_tokens").GetArrayLength();
            int maxId = -1;
            int i = 0;
            foreach (var t in list.EnumerateArray())
            {
                string f = $"added_tokens[{i++}]";
                json.Object(t, f);
                json.OnlyKnown(t, f, "id", "content", "single_word", "lstrip", "rstrip", "normalized", "special");
                int declared = json.Int(t, "id", f, -1);
                if (declared < 0) throw json.Error(f + ".id", "missing.");
                string content = json.String(t, "content", f);
                if (content.Length == 0) throw json.Error(f + ".content", "an added token cannot be empty.");
                // tokenizers ignores the declared id: a token in the vocabulary keeps its id, a new one takes the
                // next id after the vocabulary and the added tokens so far (AddedVocabulary::add_tokens).
                if (contents.Contains(content)) continue;
                int id = model.TokenToId(content) ?? (maxId >= model.TokenCount ? maxId + 1 : model.TokenCount);
                maxId = Math.Max(maxId, id);
                if (id >= model.IdCount + 2 * count + 1024) throw json.Error(f + ".id", $"id {id} is far past the vocabulary ({model.IdCount}).");
                ids.Add(id);
                bool special = json.Bool(t, "special", f, false);
                contents.Add(content);
                result.Add(new HfAddedToken(new AddedToken(content, id, special, json.Bool(t, "lstrip", f, false), json.Bool(t, "rstrip", f, false)),
                    json.Bool(t, "single_word", f, false), json.Bool(t, "normalized", f, !special)));
            }
        }
        // transformers adds the config's added_tokens_decoder entries the tokenizer.json lacks.
        foreach (var t in config.AddedTokens)
            if (!ids.Contains(t.Id) && !contents.Contains(t.Content) && t.Content.Length > 0 && t.Id < model.IdCount + 2 * config.AddedTokens.Count + 1024)
                result.Add(new HfAddedToken(t, SingleWord: false, Normalized: !t.Special));
        return result;
    }

    /// <summary>
    /// Encodes like HF's <c>tokenizer.encode(text, add_special_tokens=…)</c>: special-token strings in the text
    /// become their tokens unless <paramref name="splitSpecialTokens"/> (then they are encoded as text), and
    /// <paramref name="addSpecialTokens"/> adds <see cref="SpecialTokensPrefix"/> and <see cref="SpecialTokensSuffix"/>.
    /// </summary>
    public IReadOnlyList<int> EncodeAsHf(string text, bool addSpecialTokens = true, bool splitSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        if (addSpecialTokens) ids.AddRange(SpecialTokensPrefix);
        EncodeCore(text, matchSpecial: !splitSpecialTokens, atStart: true, ids);
        if (addSpecialTokens) ids.AddRange(SpecialTokensSuffix);
        return ids;
    }

    /// <inheritdoc/>
    protected override void EncodeOrdinary(string text, bool startOfInput, List<int> output) =>
        EncodeCore(text, matchSpecial: false, atStart: startOfInput, output);

    /// <inheritdoc/>
    private protected override void EncodeWithAddedTokens(string text, List<int> output) =>
        EncodeCore(text, matchSpecial: true, atStart: true, output);

    /// <inheritdoc/>
    protected override int? VocabularyTokenToId(string token) => _model.TokenToId(token);

    /// <inheritdoc/>
    private protected override TokenByteTable BuildByteTable()
    {
        var bytes = new byte[VocabSize][];
        var first = _decoder.HasFirstTokenRule ? new byte[VocabSize][] : null;
        var special = new bool[VocabSize];
        var added = new string?[VocabSize];
        foreach (var t in AddedTokens)
        {
            added[t.Id] = t.Content;
            special[t.Id] = t.Special;
        }
        for (int id = 0; id < VocabSize; id++)
        {
            // tokenizers' decode: the added token's content, else the model's token, through the decoder.
            string? token = added[id] ?? _model.IdToToken(id);
            bytes[id] = token is null ? [] : _decoder.TokenBytes(token);
            if (first is not null) first[id] = token is null ? [] : _decoder.TokenBytes(token, first: true);
        }
        return new TokenByteTable(bytes, special, _decoder.StripLeadingSpace, first);
    }

    void EncodeCore(string text, bool matchSpecial, bool atStart, List<int> output)
    {
        text = WellFormed(text);
        try
        {
            var sink = new ModelSink(_model, output);
            if (!_added.HasRaw)
            {
                EncodeSegment(text, matchSpecial, atStart, sink);
                return;
            }
            var splits = new List<(AddedToken? Token, int Start, int End)>();
            _added.Split(text, normalized: false, matchSpecial, splits);
            foreach (var (token, start, end) in splits)
            {
                if (token is not null) output.Add(token.Id);
                else EncodeSegment(text[start..end], matchSpecial, atStart && start == 0, sink);
            }
        }
        catch (RegexMatchTimeoutException e)
        {
            throw new TextDataException(_source, $"regex \"{e.Pattern}\" ran past {e.MatchTimeout.TotalSeconds:0.#} s on a {text.Length}-character text; "
                + "the pattern backtracks catastrophically.", inner: e);
        }
    }

    // One raw segment between non-normalized added tokens: normalize, find normalized added tokens, pre-tokenize, encode.
    void EncodeSegment(string segment, bool matchSpecial, bool atStart, ModelSink sink)
    {
        string normalized = _normalizer?.Normalize(segment) ?? segment;
        if (!_added.HasNormalized)
        {
            PreTokenize(normalized, atStart, sink);
            return;
        }
        var splits = new List<(AddedToken? Token, int Start, int End)>();
        _added.Split(normalized, normalized: true, matchSpecial, splits);
        foreach (var (token, start, end) in splits)
        {
            if (token is not null) sink.Output.Add(token.Id);
            else PreTokenize(normalized.AsSpan(start, end - start), atStart && start == 0, sink);
        }
    }

    void PreTokenize(ReadOnlySpan<char> text, bool atStart, ModelSink sink)
    {
        if (text.IsEmpty) return;
        if (_preTokenizer is null) sink.Piece(text, atStart);
        else _preTokenizer.PreTokenize(text, atStart, sink);
    }

    // HF's tokenizers take Rust strings, which cannot hold a lone surrogate: it arrives as U+FFFD.
    static string WellFormed(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0) return text;
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { sb.Append(c).Append(text[++i]); }
            else sb.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return sb.ToString();
    }

    sealed class ModelSink(HfBpe model, List<int> output) : IHfPieceSink
    {
        public List<int> Output => output;

        public void Piece(ReadOnlySpan<char> piece, bool atStart) => model.EncodeWord(piece, output);
    }
}
