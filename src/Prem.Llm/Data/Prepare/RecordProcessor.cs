using System.Text;
using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Data.Prepare;

/// <summary>
/// Turns a raw record into document tokens: parses JSONL, applies the filters (empty, code, minimum
/// length) and tokenizes as BOS + tokens + EOS. Stateless and thread-safe as long as the tokenizer's
/// <see cref="ITextTokenizer.Encode"/> is (the corpus preparer calls it from several threads).
/// </summary>
internal sealed class RecordProcessor
{
    private readonly ITextTokenizer _tokenizer;
    private readonly string _textField;
    private readonly int _minTokens;
    private readonly bool _dropCode;

    /// <summary>Creates a processor.</summary>
    /// <param name="tokenizer">Encodes text; must be safe to call concurrently.</param>
    /// <param name="textField">JSONL field holding the document.</param>
    /// <param name="minTokens">Documents with fewer text tokens (BOS/EOS excluded) are skipped.</param>
    /// <param name="dropCode">Skip documents that <see cref="CodeDetector"/> takes for code.</param>
    public RecordProcessor(ITextTokenizer tokenizer, string textField = "text", int minTokens = 0, bool dropCode = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrEmpty(textField);
        ArgumentOutOfRangeException.ThrowIfNegative(minTokens);
        _tokenizer = tokenizer;
        _textField = textField;
        _minTokens = minTokens;
        _dropCode = dropCode;
    }

    /// <summary>Processes one record.</summary>
    /// <exception cref="DataFormatException">The tokenizer returned an id outside its vocabulary.</exception>
    public ProcessedRecord Process(in CorpusRecord record)
    {
        long bytes = Encoding.UTF8.GetByteCount(record.Content);
        string text;
        if (record.Kind == CorpusFileKind.Jsonl)
        {
            var (value, reason, message) = ExtractText(record.Content);
            if (value is null) return new ProcessedRecord(null, reason, message, bytes);
            text = value;
        }
        else
        {
            text = record.Content;
        }
        if (string.IsNullOrWhiteSpace(text)) return new ProcessedRecord(null, SkipReasons.Empty, null, bytes);
        if (_dropCode && CodeDetector.IsLikelyCode(text)) return new ProcessedRecord(null, SkipReasons.Code, null, bytes);
        var ids = _tokenizer.Encode(text);
        if (ids.Count < _minTokens) return new ProcessedRecord(null, SkipReasons.TooShort, null, bytes);

        var tokens = new int[ids.Count + 2];
        tokens[0] = _tokenizer.BosId;
        for (int i = 0; i < ids.Count; i++)
        {
            int id = ids[i];
            if ((uint)id >= (uint)_tokenizer.VocabSize)
                throw new DataFormatException($"tokenizer produced id {id} outside its vocabulary of {_tokenizer.VocabSize}", record.FilePath, record.Line);
            tokens[i + 1] = id;
        }
        tokens[^1] = _tokenizer.EosId;
        return new ProcessedRecord(tokens, null, null, bytes);
    }

    private (string? Text, string? Reason, string? Message) ExtractText(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return (null, SkipReasons.BadJson, $"expected a JSON object, found {doc.RootElement.ValueKind}");
            if (!doc.RootElement.TryGetProperty(_textField, out var field))
                return (null, SkipReasons.MissingField, $"missing field '{_textField}'");
            if (field.ValueKind != JsonValueKind.String)
                return (null, SkipReasons.WrongType, $"field '{_textField}' is {field.ValueKind}, expected a string");
            return (field.GetString(), null, null);
        }
        catch (JsonException e)
        {
            return (null, SkipReasons.BadJson, $"invalid JSON: {e.Message}");
        }
    }
}
