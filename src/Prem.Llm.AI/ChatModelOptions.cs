using Prem.Llm.Attention;
using Prem.Llm.Generation;
using TorchSharp;

namespace Prem.Llm.AI;

/// <summary>How <see cref="ChatModel.Load"/> opens a model folder. The defaults load on the CPU with the folder's own template.</summary>
public sealed record ChatModelOptions
{
    /// <summary>The model id reported to clients; the folder's name when null.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// The chat template: null for the folder's own <c>chat_template</c> (else the Llama-3 template of the Prem-1B
    /// recipe), <c>"llama3"</c>, or a file with a Jinja template or a <c>tokenizer_config.json</c>.
    /// </summary>
    public string? ChatTemplate { get; init; }

    /// <summary>The device the weights go to; the CPU when null.</summary>
    public torch.Device? Device { get; init; }

    /// <summary>The weight dtype; config.json's <c>torch_dtype</c> when null.</summary>
    public torch.ScalarType? Dtype { get; init; }

    /// <summary>The attention backend; SDPA when null.</summary>
    public IAttentionBackend? Attention { get; init; }

    /// <summary>How the CPU decode engine holds the weights (int8 quantises them at first use).</summary>
    public CpuWeights CpuWeights { get; init; }

    /// <summary>Hears one-line notices, such as the Llama-3 default template being used for lack of a folder template.</summary>
    public Action<string>? Notice { get; init; }
}
