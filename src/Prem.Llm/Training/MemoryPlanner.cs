using Prem.Llm.Modeling;

namespace Prem.Llm.Training;

/// <summary>
/// Counts the memory one data-parallel rank needs to train a Llama model with this library's trainer, from what
/// the code keeps alive rather than from a rule of thumb:
/// <list type="bullet">
/// <item>weights, gradients and AdamW moments per <see cref="TrainingPrecision"/>: bf16-mixed keeps float32 masters
/// (4 B/param), a bf16 working copy (2), float32 master gradients (4), bf16 working gradients (2) and two float32
/// moments (8): 20 B/param; float32 16 B/param; pure bf16 8 B/param (moments in bf16);</item>
/// <item>activations per token and decoder layer, with compute dtype size a and float32 RMSNorm statistics:
/// the two RMSNorms keep their float32 input and normalised output (2·(4h + a·h)), the projections keep their
/// inputs (norm outputs 2·a·h, attention output a·h), attention keeps q, k, v (a·(h + 2·h_kv)) and, for "eager",
/// the float32 softmax and its cast (heads · sequence · (4 + a)); the MLP keeps gate, silu(gate), up and their
/// product (4·a·f). With checkpointing only each layer's input (a·h) is kept, plus one layer recomputed in full;
/// and while a layer is differentiated, its activations' gradients (a·(2f + 3h));</item>
/// <item>the fused head/loss (<c>LinearCrossEntropy</c>) keeps d loss/d hidden (a·h per token) and d loss/d head
/// weight (a·vocab·h) from its forward, and forms 256-row logit chunks in the compute dtype and float32.</item>
/// </list>
/// Checked against the resident memory of real CPU training steps (tests/…/MemoryPlannerTests); on CUDA, LibTorch's
/// caching allocator and cuBLAS/NCCL workspaces add the <see cref="MemoryPlanOptions.ReserveGiB"/> margin.
/// </summary>
public static class MemoryPlanner
{
    /// <summary>Plans <paramref name="config"/> under <paramref name="options"/>.</summary>
    public static MemoryPlan Plan(LlamaConfig config, MemoryPlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options = (options ?? new MemoryPlanOptions()).Validate();
        long p = Parameters(config);
        var (weights, grads, moments) = StateBytesPerParameter(options.Precision);
        long trainable = p, weightBytes = p * weights;
        if (options.Lora is { } lora)
        {
            // Frozen base: its weights only (float32 master + bf16 working copy, or one copy); the adapters train.
            trainable = LoraParameters(config, lora);
            weightBytes = p * FrozenBytesPerParameter(options.Precision);
            (weights, grads, moments) = AdapterBytesPerParameter(options.Precision);
            weightBytes += trainable * weights;
        }
        long usable = (long)((options.DeviceMemoryGiB - options.ReserveGiB) * (1L << 30));
        long fixedBytes = weightBytes + trainable * (grads + moments);
        return new MemoryPlan
        {
            Options = options,
            Parameters = p,
            TrainableParameters = trainable,
            WeightBytes = weightBytes,
            GradientBytes = trainable * grads,
            OptimizerBytes = trainable * moments,
            ActivationBytes = ActivationBytes(config, options, options.MicroBatch, options.ActivationCheckpointing),
            ActivationBytesOtherwise = ActivationBytes(config, options, options.MicroBatch, !options.ActivationCheckpointing),
            WorkspaceBytes = WorkspaceBytes(config, options),
            UsableBytes = usable,
            MaxMicroBatchCheckpointed = MaxMicroBatch(config, options, usable - fixedBytes, true),
            MaxMicroBatchPlain = MaxMicroBatch(config, options, usable - fixedBytes, false),
            FlopsPerToken = FlopsPerToken(config, options.SequenceLength),
        };
    }

    /// <summary>Parameters of <paramref name="config"/>: embeddings, attention, MLP, norms and an untied head.</summary>
    public static long Parameters(LlamaConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long h = config.HiddenSize, q = (long)config.NumAttentionHeads * config.HeadDim, kv = (long)config.NumKeyValueHeads * config.HeadDim;
        long layer = h * q + 2 * h * kv + q * h + 3 * h * config.IntermediateSize + 2 * h;
        long embed = (long)config.VocabSize * h;
        return embed + config.NumHiddenLayers * layer + h + (config.TieWordEmbeddings ? 0 : embed);
    }

    /// <summary>
    /// Model FLOPs of one training token (forward + backward), as PaLM and nanoGPT count for MFU: 6 per parameter that
    /// multiplies (an untied input embedding is a lookup and does not) plus causal attention's 6·layers·heads·head_dim·sequence
    /// (half of the 12·… of full attention). Recomputation under checkpointing is not counted: MFU counts the model's FLOPs.
    /// </summary>
    public static double FlopsPerToken(LlamaConfig config, int sequence)
    {
        ArgumentNullException.ThrowIfNull(config);
        long matmulParameters = Parameters(config) - (config.TieWordEmbeddings ? 0 : (long)config.VocabSize * config.HiddenSize);
        return 6.0 * matmulParameters + 6.0 * config.NumHiddenLayers * config.NumAttentionHeads * config.HeadDim * sequence;
    }

    /// <summary>
    /// The parameters LoRA trains on <paramref name="config"/>: r·(in + out) per targeted linear layer, and the full
    /// copies of the saved modules (vocab·hidden each).
    /// </summary>
    public static long LoraParameters(LlamaConfig config, Adapters.LoraConfig lora)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(lora);
        long h = config.HiddenSize, q = (long)config.NumAttentionHeads * config.HeadDim, kv = (long)config.NumKeyValueHeads * config.HeadDim;
        long f = config.IntermediateSize, v = config.VocabSize;
        long PerLayer(string target) => target switch
        {
            "q_proj" => h + q, "k_proj" or "v_proj" => h + kv, "o_proj" => q + h, "gate_proj" or "up_proj" or "down_proj" => h + f, _ => 0,
        };
        long layer = lora.TargetModules.Sum(PerLayer) * lora.R;
        long head = lora.TargetModules.Contains("lm_head") ? lora.R * (h + v) : 0;
        return config.NumHiddenLayers * layer + head + lora.ModulesToSave.Count * v * h;
    }

    /// <summary>Bytes per frozen base parameter: float32 master and bf16 working copy (bf16-mixed), float32, or bf16.</summary>
    internal static int FrozenBytesPerParameter(TrainingPrecision precision) => precision switch
    {
        TrainingPrecision.Bf16Mixed => 4 + 2,
        TrainingPrecision.Float32 => 4,
        _ => 2,
    };

    /// <summary>Bytes per adapter parameter of weights, gradients and moments; float32 adapters over a pure-bf16 base.</summary>
    internal static (int Weights, int Gradients, int Moments) AdapterBytesPerParameter(TrainingPrecision precision) =>
        precision == TrainingPrecision.Bf16Mixed ? (4 + 2, 4 + 2, 8) : (4, 4, 8);

    /// <summary>Bytes per parameter of weights, gradients and AdamW moments.</summary>
    internal static (int Weights, int Gradients, int Moments) StateBytesPerParameter(TrainingPrecision precision) => precision switch
    {
        TrainingPrecision.Bf16Mixed => (4 + 2, 4 + 2, 8),
        TrainingPrecision.Float32 => (4, 4, 8),
        _ => (2, 2, 4),
    };

    /// <summary>Compute dtype size: 2 for bf16 and bf16-mixed, 4 for float32.</summary>
    internal static int ComputeBytes(TrainingPrecision precision) => precision == TrainingPrecision.Float32 ? 4 : 2;

    /// <summary>Activation bytes one decoder layer keeps per token (see the class remarks).</summary>
    internal static long LayerBytesPerToken(LlamaConfig config, TrainingPrecision precision, string attention, int sequence)
    {
        long a = ComputeBytes(precision), h = config.HiddenSize, q = (long)config.NumAttentionHeads * config.HeadDim;
        long kv = (long)config.NumKeyValueHeads * config.HeadDim, f = config.IntermediateSize;
        long norms = 2 * (4 * h + a * h);
        long projectionInputs = 2 * a * h + a * q;
        long qkv = a * (q + 2 * kv);
        long scores = attention == "eager" ? (long)config.NumAttentionHeads * sequence * (4 + a) : 4L * config.NumAttentionHeads;
        long mlp = 4 * a * f;
        return norms + projectionInputs + qkv + scores + mlp;
    }

    /// <summary>Activation bytes kept for the backward of a micro-batch of <paramref name="microBatch"/> rows.</summary>
    public static long ActivationBytes(LlamaConfig config, MemoryPlanOptions options, int microBatch, bool checkpointing)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        long tokens = (long)microBatch * options.SequenceLength;
        long a = ComputeBytes(options.Precision), h = config.HiddenSize;
        long layer = LayerBytesPerToken(config, options.Precision, options.Attention, options.SequenceLength);
        // The final norm and the head's saved d loss/d hidden; the embedding output feeds layer 0; and the backward's
        // transient: the layer being differentiated holds the gradients of its MLP intermediates and hidden states.
        long outside = (4 * h + a * h) + a * h + a * h + BackwardTransientPerToken(config, options.Precision);
        long layers = checkpointing ? config.NumHiddenLayers * a * h + layer : config.NumHiddenLayers * layer;
        return tokens * (layers + outside);
    }

    /// <summary>
    /// Gradients alive while one layer is differentiated, per token: d/d gate and d/d up (2·a·f) and three hidden-sized
    /// ones (the residual stream's, the norm input's, the projection input's: 3·a·h).
    /// </summary>
    internal static long BackwardTransientPerToken(LlamaConfig config, TrainingPrecision precision) =>
        ComputeBytes(precision) * (2L * config.IntermediateSize + 3L * config.HiddenSize);

    /// <summary>The fused head's d loss/d weight and logit chunk, and one gradient bucket per device for data parallel.</summary>
    internal static long WorkspaceBytes(LlamaConfig config, MemoryPlanOptions options)
    {
        long a = ComputeBytes(options.Precision), v = config.VocabSize;
        long headGradient = a * v * config.HiddenSize;
        long logitsChunk = 256 * v * (a + 4);
        return headGradient + logitsChunk + (options.WorldSize > 1 ? options.GradientBucketBytes : 0);
    }

    static int MaxMicroBatch(LlamaConfig config, MemoryPlanOptions options, long available, bool checkpointing)
    {
        available -= WorkspaceBytes(config, options);
        // Activations are linear in the rows (the recomputed layer included): b·perRow ≤ available.
        long perRow = ActivationBytes(config, options, 1, checkpointing);
        return available <= 0 ? 0 : (int)Math.Min(int.MaxValue, available / perRow);
    }
}
