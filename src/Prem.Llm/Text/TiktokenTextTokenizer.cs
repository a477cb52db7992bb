using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Prem.Llm.Text;

/// <summary>
/// The Llama-3-family tokenizer: Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/> over a
/// <c>.tiktoken</c> rank file with Llama-3's pre-tokenizer regex, plus the special tokens. The library
/// tokenizer is built without special tokens, so text never turns into control tokens; specials are
/// placed by id or through <see cref="TextTokenizerBase.EncodeWithSpecialTokens"/>.
/// </summary>
internal sealed partial class TiktokenTextTokenizer : TextTokenizerBase
{
    /// <summary>Llama-3's pre-tokenizer pattern (cl100k-style with \p{L}/\p{N} classes).</summary>
    public const string Llama3Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    [GeneratedRegex(Llama3Pattern)]
    private static partial Regex Llama3Regex();

    readonly TiktokenTokenizer _tiktoken;
    readonly byte[][] _rankBytes;
    readonly Lazy<Dictionary<string, int>> _textToRank;
    readonly int _vocabSize;

    /// <summary>
    /// Creates the tokenizer from the bytes of a <c>.tiktoken</c> file (<paramref name="source"/> names it in
    /// errors) and its added tokens. BOS/EOS default to &lt;|begin_of_text|&gt; / &lt;|end_of_text|&gt;.
    /// </summary>
    public TiktokenTextTokenizer(byte[] tiktokenFile, string source, IReadOnlyList<AddedToken> addedTokens,
        string? bosToken = null, string? eosToken = null, string? padToken = null)
        : base(addedTokens)
    {
        ArgumentNullException.ThrowIfNull(tiktokenFile);
        _rankBytes = ParseRanks(tiktokenFile, source);
        _tiktoken = TiktokenTokenizer.Create(new MemoryStream(tiktokenFile, writable: false),
            new RegexPreTokenizer(Llama3Regex(), specialTokens: null), normalizer: null, specialTokens: null);
        _textToRank = new Lazy<Dictionary<string, int>>(BuildTextToRank);
        _vocabSize = Math.Max(_rankBytes.Length, addedTokens.Count == 0 ? 0 : addedTokens.Max(t => t.Id) + 1);
        BosId = ResolveSpecial(bosToken ?? "<|begin_of_text|>", source, "bos_token");
        EosId = ResolveSpecial(eosToken ?? "<|end_of_text|>", source, "eos_token");
        PadId = padToken is null ? null : ResolveSpecial(padToken, source, "pad_token");
    }

    /// <summary>Loads a <c>.tiktoken</c> file and a <c>special_tokens.json</c> ({"token": id, …}).</summary>
    public static TiktokenTextTokenizer FromFiles(string tiktokenPath, string specialTokensPath) =>
        new(File.ReadAllBytes(tiktokenPath), tiktokenPath, ReadSpecialTokensJson(specialTokensPath));

    /// <inheritdoc/>
    public override int VocabSize => _vocabSize;

    /// <summary>Reads a <c>special_tokens.json</c> object of token → id as special added tokens.</summary>
    public static IReadOnlyList<AddedToken> ReadSpecialTokensJson(string path)
    {
        using var doc = HfTokenizerConfig.ParseJsonFile(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new TextDataException(path, "expected a JSON object of token → id.");
        var tokens = new List<AddedToken>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                throw new TextDataException(path, "expected a non-negative integer id.", p.Name);
            tokens.Add(new AddedToken(p.Name, id));
        }
        return tokens;
    }

    /// <inheritdoc/>
    protected override void EncodeOrdinary(string text, bool startOfInput, List<int> output) =>
        output.AddRange(_tiktoken.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true));

    /// <inheritdoc/>
    protected override int? VocabularyTokenToId(string token) => _textToRank.Value.TryGetValue(token, out int id) ? id : null;

    /// <inheritdoc/>
    private protected override TokenByteTable BuildByteTable()
    {
        var bytes = new byte[VocabSize][];
        var special = new bool[VocabSize];
        for (int id = 0; id < VocabSize; id++)
        {
            bytes[id] = id < _rankBytes.Length ? _rankBytes[id] : [];
            special[id] = id >= _rankBytes.Length;
        }
        foreach (var t in AddedTokens)
        {
            bytes[t.Id] = Encoding.UTF8.GetBytes(t.Content);
            special[t.Id] = t.Special;
        }
        return new TokenByteTable(bytes, special, stripLeadingSpace: false);
    }

    // The library keeps its rank table internal; decoding and streaming need the bytes of each rank.
    static byte[][] ParseRanks(byte[] file, string source)
    {
        var ranks = new List<byte[]>();
        int lineNumber = 0;
        foreach (string line in Encoding.ASCII.GetString(file).Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            int space = line.IndexOf(' ');
            if (space <= 0 || !int.TryParse(line.AsSpan(space + 1).TrimEnd('\r'), out int rank) || rank != ranks.Count)
                throw new TextDataException(source, "expected '<base64> <rank>' with ranks 0, 1, 2, … in order.", line: lineNumber);
            try
            {
                ranks.Add(Convert.FromBase64String(line[..space]));
            }
            catch (FormatException e)
            {
                throw new TextDataException(source, "invalid base64 token.", line: lineNumber, inner: e);
            }
        }
        return [.. ranks];
    }

    Dictionary<string, int> BuildTextToRank()
    {
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var map = new Dictionary<string, int>(_rankBytes.Length, StringComparer.Ordinal);
        for (int id = 0; id < _rankBytes.Length; id++)
        {
            try { map.TryAdd(strict.GetString(_rankBytes[id]), id); }
            catch (DecoderFallbackException) { /* a partial UTF-8 sequence has no string form */ }
        }
        return map;
    }
}
