using System.Text.Json;
using System.Text.Json.Nodes;
using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Text;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Tests.Cli;

/// <summary>Generates the small data sets the recipe commands train on, and reads their run folders.</summary>
internal static class RecipeTestData
{
    public static string Config(string name) => Path.Combine(AppContext.BaseDirectory, "configs", name);

    public static string Stories => TestData.Path("stories260K");

    /// <summary>
    /// stories260K made chat-ready the way Prem-1B-chat extends Llama-2: the Llama-3 header/eot tokens and
    /// [PAD] added after the 512-piece vocabulary (ids 512–515), their embedding rows newly initialised,
    /// every other weight stories260K's.
    /// </summary>
    public static string StoriesChat(string dir)
    {
        string folder = Path.Combine(dir, "stories260K-chat");
        using var source = LlamaForCausalLM.FromPretrained(Stories);
        var config = source.Config with { VocabSize = 516, EosTokenIds = [2, 514], PadTokenId = 515 };
        using var model = new LlamaForCausalLM(config, seed: 3);
        var weights = source.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (TorchSharp.torch.no_grad())
            foreach (var (name, p) in model.named_parameters())
                p.narrow(0, 0, weights[name].shape[0]).copy_(weights[name]);
        model.SavePretrained(folder);
        File.Copy(Path.Combine(Stories, "tokenizer.model"), Path.Combine(folder, "tokenizer.model"));
        var added = new JsonObject();
        string[] tokens = ["<unk>", "<s>", "</s>"];
        for (int i = 0; i < 3; i++) added[i.ToString()] = Special(tokens[i]);
        string[] chat = ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "[PAD]"];
        for (int i = 0; i < 4; i++) added[(512 + i).ToString()] = Special(chat[i]);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), new JsonObject
        {
            ["add_bos_token"] = true, ["add_eos_token"] = false, ["added_tokens_decoder"] = added,
            ["bos_token"] = "<s>", ["eos_token"] = "</s>", ["pad_token"] = "[PAD]", ["legacy"] = true, ["unk_token"] = "<unk>",
        }.ToJsonString());
        return folder;
    }

    static JsonObject Special(string content) => new()
    {
        ["content"] = content, ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false, ["special"] = true,
    };

    static readonly string[] _names = ["Lily", "Tom", "Sam", "Mia", "Ben", "Anna"];
    static readonly string[] _things = ["a red ball", "a big dog", "a little cat", "a blue car", "a tall tree", "a funny hat"];

    static string Sentence(int i) =>
        $"Once upon a time, {_names[i % _names.Length]} had {_things[i * 7 % _things.Length]}. {_names[(i + 1) % _names.Length]} liked it very much.";

    /// <summary>A corpus prepared with <see cref="CorpusPreparer"/> and stories260K's tokenizer: 32-token windows, a val split.</summary>
    public static string PreparedCorpus(string dir)
    {
        string input = Path.Combine(dir, "corpus.jsonl");
        File.WriteAllLines(input, Enumerable.Range(0, 120).Select(i => JsonSerializer.Serialize(new { text = Sentence(i) })));
        string output = Path.Combine(dir, "corpus");
        new CorpusPreparer(TokenizerLoader.Load(Stories), new PrepareOptions
        {
            Input = input, Output = output, TokenizerHash = "test", SeqLen = 32, Workers = 1, ValFraction = 0.2,
        }).Run();
        return output;
    }

    /// <summary>Chat conversations: the assistant repeats who has what.</summary>
    public static string SftJsonl(string dir)
    {
        string path = Path.Combine(dir, "sft.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 24).Select(i => JsonSerializer.Serialize(new
        {
            messages = new[]
            {
                new { role = "user", content = $"What did {_names[i % _names.Length]} have?" },
                new { role = "assistant", content = $"{_names[i % _names.Length]} had {_things[i % _things.Length]}." },
            },
        })));
        return path;
    }

    /// <summary>Preference pairs: the chosen answer names the right thing, the rejected one another.</summary>
    public static string DpoJsonl(string dir, string name = "dpo.jsonl", int count = 12)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllLines(path, Enumerable.Range(0, count).Select(i => JsonSerializer.Serialize(new
        {
            prompt = new[] { new { role = "user", content = $"What did {_names[i % _names.Length]} have?" } },
            chosen = $"{_names[i % _names.Length]} had {_things[i % _things.Length]}.",
            rejected = $"{_names[i % _names.Length]} had {_things[(i + 1) % _things.Length]}.",
        })));
        return path;
    }

    /// <summary>The step lines of a run's metrics.jsonl.</summary>
    public static List<JsonObject> StepLines(string runDir) =>
        File.ReadLines(Path.Combine(runDir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(o => o.ContainsKey("loss")).ToList();
}
