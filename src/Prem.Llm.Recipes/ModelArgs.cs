using Prem.Llm.Modeling;

namespace Prem.Llm.Recipes;

/// <summary>The Prem-1B recipe's <c>model.model_args</c>: which model to start from and how to run it.</summary>
internal sealed record ModelArgs
{
    /// <summary>A local HF model folder to start from (model_name); null when <see cref="Config"/> is given.</summary>
    public string? ModelName { get; init; }

    /// <summary>An architecture to train from scratch (model_args.config, HF config.json keys); null when <see cref="ModelName"/> is given.</summary>
    public LlamaConfig? Config { get; init; }

    /// <summary>Overrides the loaded config's max_position_embeddings (the Prem-1B recipe extends 2048 → 8192; RoPE is computed for any length).</summary>
    public int? MaxPositionEmbeddings { get; init; }

    /// <summary>
    /// Attention backend name: "eager", "sdpa" or "flash" (from <c>flash_attention: true</c> or
    /// <c>attention:</c>). "flash" is resolved by the host (Prem.Llm.Cuda); where it is not available
    /// the run falls back to "sdpa" and says so.
    /// </summary>
    public string Attention { get; init; } = "sdpa";

    /// <summary>
    /// Weight dtype of the exported model ("float32" or "bfloat16"; the Prem-1B recipe's <c>dtype: bfloat16</c>);
    /// null keeps the training dtype. Training itself holds the weights in the dtype the precision
    /// needs (float32 masters for bf16-mixed).
    /// </summary>
    public string? Dtype { get; init; }

    /// <summary>The PEFT keys (<c>use_peft</c>, <c>lora_r</c>…): LoRA adapters on the frozen model.</summary>
    public PeftArgs Peft { get; init; } = new();
}
