using Prem.Llm.Generation;
using Prem.Llm.Modeling;
using Prem.Llm.Text;

namespace Prem.Llm.Quickstart;

/// <summary>
/// Exact-match accuracy on held-out reading questions: greedy answers, compared with the expected
/// sentence after trimming. The base model is asked in plain text ("Context … Question … Answer:"); the chat
/// stages are asked through the Llama-3 template with a generation prompt.
/// </summary>
public sealed class ReadingEvaluator(ITextTokenizer tokenizer, IReadOnlyList<ReadingQuestion> questions)
{
    const int NewlineId = 3 + '\n';   // byte-fallback piece <0x0A>

    /// <summary>Accuracy with plain-text prompts (for a model that has never seen the chat template).</summary>
    public double PlainAccuracy(LlamaForCausalLM model, Action<int>? progress = null) => Accuracy(model,
        questions.Select(q => (IReadOnlyList<int>)tokenizer.Encode($"Context: {q.Passage}\nQuestion: {q.Question}\nAnswer:", addBos: true)).ToList(),
        [tokenizer.EosId, NewlineId], progress);

    /// <summary>Accuracy with chat prompts.</summary>
    public double ChatAccuracy(LlamaForCausalLM model, Action<int>? progress = null) => Accuracy(model, questions.Select(ChatPrompt).ToList(), ChatStops, progress);

    /// <summary>The chat prompt ids of one question (system, user, then the assistant header).</summary>
    public IReadOnlyList<int> ChatPrompt(ReadingQuestion q)
    {
        var encoder = new ConversationEncoder(tokenizer, Llama3ChatTemplate.Llama2Vocabulary);
        ChatMessage[] messages = [new("system", QuickstartData.SystemPrompt), new("user", QuickstartData.UserMessage(q))];
        return encoder.Encode(messages, addGenerationPrompt: true)!.InputIds;
    }

    /// <summary>EOS and &lt;|eot_id|&gt;.</summary>
    public int[] ChatStops => [tokenizer.EosId, tokenizer.TokenToId(Llama3ChatTemplate.EndOfTurn)!.Value];

    /// <summary>The first few wrong answers of the last evaluation: question, expected, given.</summary>
    public IReadOnlyList<(string Question, string Expected, string Given)> Mistakes { get; private set; } = [];

    /// <summary>Questions answered per batch (progress is reported after each).</summary>
    public const int BatchSize = 50;

    double Accuracy(LlamaForCausalLM model, List<IReadOnlyList<int>> prompts, int[] stops, Action<int>? progress)
    {
        var generator = new TextGenerator(model);
        var answers = new List<IReadOnlyList<int>>();
        foreach (var chunk in prompts.Chunk(BatchSize))
        {
            answers.AddRange(generator.GenerateBatch(chunk, new SamplingOptions { MaxNewTokens = 24, StopTokenIds = stops }));
            progress?.Invoke(answers.Count);
        }
        int correct = 0;
        var mistakes = new List<(string, string, string)>();
        for (int i = 0; i < questions.Count; i++)
        {
            string answer = tokenizer.Decode(answers[i].Where(id => !stops.Contains(id))).Trim();
            if (answer == questions[i].Answer) correct++;
            else if (mistakes.Count < 3) mistakes.Add((questions[i].Question, questions[i].Answer, answer));
        }
        Mistakes = mistakes;
        return (double)correct / questions.Count;
    }
}
