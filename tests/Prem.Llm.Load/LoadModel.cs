using Prem.Llm.Cli.Commands;
using Prem.Llm.Modeling;

namespace Prem.Llm.Load;

/// <summary>
/// The model folder a load run serves, built at run time: the shipped stories260K made chat-ready, or a
/// random-weight model of a larger shape with that folder's tokenizer and chat template (its answers are
/// noise, which is fine: every request then runs to max_tokens, so the work per request is fixed).
/// </summary>
internal static class LoadModel
{
    public static readonly string[] Shapes = ["stories260K", "42m", "110m"];

    public static string Build(string shape, string root)
    {
        string chat = Path.Combine(root, "stories260K-chat");
        ChatReadyCommand.Run(Path.Combine(AppContext.BaseDirectory, "Data", "stories260K"), chat);
        if (shape == "stories260K") return chat;

        // llama2.c's 42M and 110M shapes (dim, layers, heads), with the chat-ready 516-id vocabulary.
        var (hidden, layers, heads, inter) = shape switch
        {
            "42m" => (512, 8, 8, 1376),
            "110m" => (768, 12, 12, 2048),
            _ => throw new ArgumentException($"--shape: expected one of {string.Join(", ", Shapes)}, got '{shape}'."),
        };
        string folder = Path.Combine(root, "random-" + shape);
        var config = new LlamaConfig
        {
            HiddenSize = hidden, IntermediateSize = inter, NumHiddenLayers = layers, NumAttentionHeads = heads, NumKeyValueHeads = heads,
            HeadDim = hidden / heads, VocabSize = 516, MaxPositionEmbeddings = 1024, BosTokenId = 1, EosTokenIds = [2, 514], PadTokenId = 515,
        };
        using (var model = new LlamaForCausalLM(config, seed: 0)) model.SavePretrained(folder);
        foreach (string file in new[] { "tokenizer.model", "tokenizer_config.json" })
            File.Copy(Path.Combine(chat, file), Path.Combine(folder, file));
        return folder;
    }
}
