using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Prem.Llm.Text;

/// <summary>
/// The logic of <c>prem tokenize</c>: reads JSONL records and writes their tokens. A record
/// <c>{"text": …}</c> becomes <c>{"ids": […]}</c> (BOS/EOS only when asked); a record
/// <c>{"messages": [{"role", "content"}…], "add_generation_prompt": bool, "chat_template_kwargs": {…}}</c> becomes
/// <c>{"text": rendered, "ids": […], "labels": […]}</c> through the chat template (its own BOS, no EOS); a
/// conversation with nothing to train renders with every label −100. With <see cref="SkipErrors"/> a record that
/// fails writes <c>{"error": "…"}</c> on its line instead, so output lines stay aligned with input lines.
/// </summary>
public sealed class JsonlTokenizer
{
    // Keeps "<|eot_id|>" readable in the output instead of "\u003C|eot_id|\u003E"; the output is data, not HTML.
    static readonly JsonSerializerOptions _outputJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly TextTokenizerBase _tokenizer;
    readonly IChatTemplate _template;
    readonly ConversationEncoder _encoder;
    readonly ConversationEncoderOptions _options;

    /// <summary>Creates the runner; <paramref name="template"/> defaults to <see cref="DefaultTemplate"/>.</summary>
    public JsonlTokenizer(TextTokenizerBase tokenizer, IChatTemplate? template = null, ConversationEncoderOptions? options = null)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _template = template ?? DefaultTemplate(tokenizer);
        _options = (options ?? new ConversationEncoderOptions()) with { RequireAssistantTurn = false };
        _encoder = new ConversationEncoder(tokenizer, _template, _options);
    }

    /// <summary>When true, a record that fails (bad JSON, bad role, template error) writes <c>{"error": …}</c> and is counted instead of stopping the run.</summary>
    public bool SkipErrors { get; init; }

    /// <summary>How many conversation records were read (rendered or failed).</summary>
    public int ConversationCount { get; private set; }

    /// <summary>How many records failed and were written as errors (with <see cref="SkipErrors"/>).</summary>
    public int ErrorCount { get; private set; }

    /// <summary>Add BOS to text records.</summary>
    public bool AddBos { get; init; }

    /// <summary>Add EOS to text records.</summary>
    public bool AddEos { get; init; }

    /// <summary>The Llama-3 template with the tokenizer's own BOS text (&lt;s&gt; or &lt;|begin_of_text|&gt;).</summary>
    public static IChatTemplate DefaultTemplate(TextTokenizerBase tokenizer) =>
        new Llama3ChatTemplate(tokenizer.Decode([tokenizer.BosId], skipSpecialTokens: false));

    /// <summary>
    /// Tokenizes every line of <paramref name="input"/> (named <paramref name="inputName"/> in errors) to
    /// <paramref name="output"/> (one JSON line per record; null writes none) and, when <paramref name="show"/> is
    /// given, the conversations with trained tokens marked. Returns the number of records. A bad line throws
    /// <see cref="TextDataException"/> naming the file and line.
    /// </summary>
    /// <param name="input">JSONL records, one per line.</param>
    /// <param name="inputName">The input's name in errors and in the shown headers.</param>
    /// <param name="output">Where the JSON lines go; null writes none.</param>
    /// <param name="show">Where the shown conversations go; null shows none.</param>
    /// <param name="mark">Renders one token's text given whether it is trained (a terminal may colour
    /// it); trained tokens wrapped in [[ ]] when null (for logs and files).</param>
    public int Run(TextReader input, string inputName, TextWriter? output, TextWriter? show = null, Func<string, bool, string>? mark = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        int records = 0;
        long lineNumber = 0;
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                RunRecord(line, inputName, lineNumber, output, show, mark);
            }
            catch (Exception e) when (SkipErrors && e is TextDataException or Templates.TemplateException or ChatTemplateLocateException)
            {
                ErrorCount++;
                output?.WriteLine(JsonSerializer.Serialize(new ErrorRecord(e.Message), _outputJson));
            }
            records++;
        }
        return records;
    }

    void RunRecord(string line, string inputName, long lineNumber, TextWriter? output, TextWriter? show, Func<string, bool, string>? mark)
    {
        using var doc = Parse(line, inputName, lineNumber);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("messages", out var messages))
        {
            ConversationCount++;
            var conversation = JsonlRecords.ReadMessages(messages, inputName, lineNumber);
            bool generation = JsonlRecords.ReadOptionalBool(root, "add_generation_prompt", inputName, lineNumber);
            var kwargs = TemplateKwargs(root, inputName, lineNumber);
            var encoder = kwargs is null ? _encoder : new ConversationEncoder(_tokenizer, _template, _options with { TemplateVariables = kwargs });
            var encoded = encoder.Encode(conversation, generation, $"{inputName}:{lineNumber}")!;
            string text = _template is JinjaChatTemplate jinja ? jinja.Render(conversation, generation, kwargs) : _template.Render(conversation, generation);
            output?.WriteLine(JsonSerializer.Serialize(new ConversationRecord(text, encoded.InputIds, encoded.Labels), _outputJson));
            if (show is not null) Show(show, $"{inputName}:{lineNumber}", encoded, mark ?? Brackets);
        }
        else
        {
            string text = JsonlRecords.ReadText(root, inputName, lineNumber);
            var ids = _tokenizer.Encode(text, AddBos, AddEos);
            output?.WriteLine(JsonSerializer.Serialize(new TextRecord(ids), _outputJson));
            if (show is not null) Show(show, $"{inputName}:{lineNumber}", new EncodedConversation([.. ids], [.. ids]), mark ?? Brackets);
        }
    }

    static Dictionary<string, object?>? TemplateKwargs(JsonElement root, string inputName, long lineNumber)
    {
        if (!root.TryGetProperty("chat_template_kwargs", out var k) || k.ValueKind == JsonValueKind.Null) return null;
        if (k.ValueKind != JsonValueKind.Object) throw new TextDataException(inputName, $"expected an object, found {k.ValueKind}.", "chat_template_kwargs", lineNumber);
        return k.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
    }

    static JsonDocument Parse(string line, string inputName, long lineNumber)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new TextDataException(inputName, "invalid JSON: " + e.Message, line: lineNumber, inner: e);
        }
    }

    // Like axolotl's preprocess debug: every token's text, trained tokens marked, so label masks can be eyeballed.
    static string Brackets(string piece, bool trained) => trained ? $"[[{piece}]]" : piece;

    void Show(TextWriter show, string record, EncodedConversation encoded, Func<string, bool, string> mark)
    {
        var sb = new StringBuilder();
        sb.Append("--- ").Append(record).Append(" (").Append(encoded.TrainedTokenCount).Append('/').Append(encoded.InputIds.Length).AppendLine(" tokens trained)");
        var table = _tokenizer.ByteTable;
        for (int i = 0; i < encoded.InputIds.Length; i++)
        {
            string piece = Encoding.UTF8.GetString(table.Bytes(encoded.InputIds[i]));
            bool trained = encoded.Labels[i] != ConversationEncoder.IgnoreIndex;
            sb.Append(mark(piece, trained));
        }
        show.WriteLine(sb.ToString());
    }

    sealed record ErrorRecord([property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error);

    sealed record TextRecord([property: System.Text.Json.Serialization.JsonPropertyName("ids")] IReadOnlyList<int> Ids);

    sealed record ConversationRecord(
        [property: System.Text.Json.Serialization.JsonPropertyName("text")] string Text,
        [property: System.Text.Json.Serialization.JsonPropertyName("ids")] int[] Ids,
        [property: System.Text.Json.Serialization.JsonPropertyName("labels")] int[] Labels);
}
