// DocsChat: answers questions over a folder of text files with a local model, through Microsoft.Extensions.AI's
// IChatClient. Usage: DocsChat --model MODEL_DIR --docs DOCS_DIR [--question "..."] [--max-new-tokens N]
// Without --question it reads one question per line from standard input.
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Prem.Llm.AI;
using Prem.Llm.DocsChat;

string? Arg(string name) => Array.IndexOf(args, name) is int i && i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
string? modelDir = Arg("--model"), docsDir = Arg("--docs");
if (modelDir is null || docsDir is null)
{
    Console.Error.WriteLine("usage: DocsChat --model MODEL_DIR --docs DOCS_DIR [--question TEXT] [--max-new-tokens N]");
    return 2;
}
int maxNew = int.TryParse(Arg("--max-new-tokens"), out int n) && n > 0 ? n : 200;

var documents = Document.ReadFolder(docsDir);
Console.Error.WriteLine($"docschat: {documents.Count} documents in {docsDir}");

// The app sees only IChatClient; the registration decides it is a local Prem.Llm model.
var services = new ServiceCollection();
services.AddPremChatClient(modelDir, new ChatModelOptions { Notice = Console.Error.WriteLine });
using var provider = services.BuildServiceProvider();
var chat = provider.GetRequiredService<IChatClient>();
// The model behind the client, for the context window and token counts that size the documents.
var model = chat.GetService<ChatModel>()!;

var questions = Arg("--question") is { } single ? [single] : ReadLines(Console.In);
foreach (string question in questions)
{
    // Room for the reply and the question; the rest of the window holds the best-matching documents.
    int budget = model.ContextLength - maxNew - model.Tokenizer.Encode(question).Count - 64;
    var picked = DocumentPicker.Pick(documents, question, budget, text => model.Tokenizer.Encode(text).Count);
    var messages = new List<ChatMessage>
    {
        new(ChatRole.System, DocumentContext.SystemMessage(picked.Select(d => (d.Name, d.Text)))),
        new(ChatRole.User, question),
    };
    await foreach (var update in chat.GetStreamingResponseAsync(messages, new ChatOptions { MaxOutputTokens = maxNew }))
        Console.Write(update.Text);
    Console.WriteLine();
    Console.Error.WriteLine($"docschat: sources: {(picked.Count == 0 ? "none matched" : string.Join(", ", picked.Select(d => d.Name)))}");
}
return 0;

static IEnumerable<string> ReadLines(TextReader reader)
{
    while (reader.ReadLine() is { } line)
        if (line.Trim().Length > 0) yield return line.Trim();
}
