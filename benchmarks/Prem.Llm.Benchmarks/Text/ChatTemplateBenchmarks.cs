using BenchmarkDotNet.Attributes;
using Prem.Llm.Text;

namespace Prem.Llm.Benchmarks.Text;

/// <summary>
/// Chat-template throughput on one thread: 1,000 short conversations (system, user, assistant; 10–30 words
/// each) rendered by the Jinja engine with Meta's Llama-3 template, then tokenized by the Llama-3 vocabulary read
/// from its tiktoken file or from the real Llama-3.1 tokenizer.json folder (<see cref="HfTokenizer"/>).
/// Conversations/s = 1,000 / mean time. <c>Render_Tokenize</c> is what the target measures (render, then
/// encode the text with special-token matching as HF's <c>apply_chat_template(tokenize=True)</c>);
/// <c>Encode_WithLabels</c> is <see cref="ConversationEncoder"/>: one more render per assistant turn to locate it.
/// </summary>
[MemoryDiagnoser]
public class ChatTemplateBenchmarks
{
    const int Conversations = 1000;
    TextTokenizerBase _tokenizer = null!;
    Llama3ChatTemplate _template = null!;
    ConversationEncoder _encoder = null!;
    List<List<ChatMessage>> _conversations = [];

    /// <summary>Which file the Llama-3 vocabulary comes from: "tiktoken" or "tokenizer.json".</summary>
    [Params("tiktoken", "tokenizer.json")]
    public string Vocabulary { get; set; } = "tiktoken";

    /// <summary>Loads the tokenizer and builds the conversations.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _tokenizer = Vocabulary == "tiktoken"
            ? TiktokenTextTokenizer.FromFiles(EnglishSample.DataPath("llama3", "llama3.tiktoken"), EnglishSample.DataPath("llama3", "special_tokens.json"))
            : HfTokenizer.Load(HfTokenizerFolder.Extract("llama3_1"));
        _template = Llama3ChatTemplate.Llama3;
        _encoder = new ConversationEncoder(_tokenizer, _template);
        string text = EnglishSample.Create(Conversations * 600);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var random = new Random(7);
        int w = 0;
        string Words(int n)
        {
            var s = string.Join(' ', words.Skip(w % (words.Length - n)).Take(n));
            w += n;
            return s;
        }
        for (int i = 0; i < Conversations; i++)
            _conversations.Add([new(ChatMessage.System, Words(random.Next(10, 31))), new(ChatMessage.User, Words(random.Next(10, 31))), new(ChatMessage.Assistant, Words(random.Next(10, 31)))]);
    }

    /// <summary>Renders the 1,000 conversations to text.</summary>
    [Benchmark(Baseline = true)]
    public int Render()
    {
        int n = 0;
        foreach (var c in _conversations) n += _template.Render(c, false).Length;
        return n;
    }

    /// <summary>Renders and tokenizes (special tokens matched in the rendered text).</summary>
    [Benchmark]
    public int Render_Tokenize()
    {
        int n = 0;
        foreach (var c in _conversations) n += _tokenizer.EncodeWithSpecialTokens(_template.Render(c, false)).Count;
        return n;
    }

    /// <summary>Ids and assistant-only labels (control tokens only from the template).</summary>
    [Benchmark]
    public int Encode_WithLabels()
    {
        int n = 0;
        foreach (var c in _conversations) n += _encoder.Encode(c)!.InputIds.Length;
        return n;
    }
}
