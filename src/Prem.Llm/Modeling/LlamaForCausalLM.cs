using Prem.Llm.Attention;
using Prem.Llm.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>
/// A Llama decoder with its language-model head: token ids in, next-token logits out. State-dict
/// keys equal HuggingFace's (<c>model.layers.0.self_attn.q_proj.weight</c>, <c>lm_head.weight</c>…).
/// </summary>
public sealed class LlamaForCausalLM : nn.Module<Tensor, Tensor>
{
    // State-dict names are HF's (ComponentName), not the fields'.
    [TorchSharp.Utils.ComponentName(Name = "model")]
    private readonly LlamaModel _model;
    [TorchSharp.Utils.ComponentName(Name = "lm_head")]
    private readonly Linear? _lm_head;
    private IAttentionBackend _backend;

    /// <summary>
    /// Creates a model with HF's initialisation (normal(0, initializer_range) for linear and embedding
    /// weights, zero biases, unit norms), drawn from <paramref name="seed"/>.
    /// </summary>
    /// <param name="config">Architecture; validated here.</param>
    /// <param name="backend">Attention backend; <see cref="AutoSdpaAttention"/> (the "sdpa" backend) when null.</param>
    /// <param name="dtype">Weight dtype; the config's <c>torch_dtype</c> when null.</param>
    /// <param name="device">Where the weights live; CPU when null.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public LlamaForCausalLM(LlamaConfig config, IAttentionBackend? backend = null, ScalarType? dtype = null,
        Device? device = null, long seed = 0)
        : this(config, backend, dtype, device, initialize: true, seed) { }

    private LlamaForCausalLM(LlamaConfig config, IAttentionBackend? backend, ScalarType? dtype, Device? device, bool initialize, long seed)
        : base(nameof(LlamaForCausalLM))
    {
        config.Validate();
        CheckDevice(device);
        Config = config;
        this._backend = backend ?? new AutoSdpaAttention();
        var weightDtype = dtype ?? config.ScalarType;
        // Weights a checkpoint is about to provide are left uninitialised (TorchSharp's init of a 1B
        // model takes seconds; mapping the checkpoint, milliseconds).
        using (initialize ? default(WeightInit.SkipScope?) : WeightInit.Skip())
        {
            _model = new LlamaModel(config, this._backend, weightDtype, device);
            if (!config.TieWordEmbeddings)
                _lm_head = WeightInit.Linear(config.HiddenSize, config.VocabSize, hasBias: false, device, weightDtype);
        }
        RegisterComponents();
        if (initialize) InitializeWeights(seed);
    }

    /// <summary>A model whose weights are left uninitialised, for a loader that overwrites every one (GGUF import).</summary>
    internal static LlamaForCausalLM CreateForLoading(LlamaConfig config, ScalarType dtype) =>
        new(config, backend: null, dtype, device: null, initialize: false, seed: 0);

    /// <summary>The configuration the model was built from.</summary>
    public LlamaConfig Config { get; }

    /// <summary>
    /// The folder's <c>generation_config.json</c> (stop ids and sampling defaults) when the model was
    /// loaded from one that has it; <see cref="SavePretrained"/> writes it back. Null otherwise.
    /// </summary>
    public GenerationConfig? GenerationConfig { get; set; }

    /// <summary>The decoder stack (HF's <c>model</c>).</summary>
    public LlamaModel Model => _model;

    /// <summary>The dtype of the weights.</summary>
    public ScalarType Dtype => _model.EmbedTokens.weight!.dtype;

    /// <summary>The device of the weights.</summary>
    public Device Device => _model.EmbedTokens.weight!.device;

    /// <summary>The attention backend of every layer; setting it switches all layers.</summary>
    public IAttentionBackend AttentionBackend
    {
        get => _backend;
        set
        {
            _backend = value ?? throw new ArgumentNullException(nameof(value));
            foreach (var layer in _model.Layers) layer.Attention.Backend = value;
        }
    }

    /// <summary>Logits [batch, seq, vocab] for <paramref name="inputIds"/> [batch, seq].</summary>
    public override Tensor forward(Tensor inputIds) => Forward(inputIds);

    /// <summary>
    /// Logits [batch, seq, vocab] in the weights' dtype. See <see cref="LlamaModel.Forward"/> for the
    /// optional padding mask, packed document ids, positions and KV cache.
    /// </summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? documentIds = null,
        Tensor? positionIds = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var hidden = _model.Forward(inputIds, attentionMask, documentIds, positionIds, cache);
        return Head(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>The output projection's weight [vocab, hidden]: <c>lm_head.weight</c>, or the embedding when tied.</summary>
    public Tensor HeadWeight => _lm_head?.weight ?? _model.EmbedTokens.weight!;

    /// <summary>Projects hidden states [..., hidden] to logits [..., vocab] (tied or untied head).</summary>
    public Tensor Head(Tensor hidden) =>
        _lm_head is not null ? _lm_head.call(hidden) : nn.functional.linear(hidden, _model.EmbedTokens.weight!);

    /// <summary>Redraws every weight as HF's <c>_init_weights</c> does, from <paramref name="seed"/>.</summary>
    public void InitializeWeights(long seed)
    {
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal)) p.fill_(1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else
            {
                // Draw in float32 so a bf16 model gets the same values as a float32 one, rounded.
                using var draw = empty(p.shape, ScalarType.Float32).normal_(0, Config.InitializerRange, generator);
                p.copy_(draw);
            }
        }
        if (Config.PadTokenId is int pad) _model.EmbedTokens.weight![pad].zero_();
    }

    /// <summary>A new cache sized for this model, <paramref name="batch"/> rows and <paramref name="capacity"/> positions.</summary>
    public KvCache CreateCache(long batch, long capacity) => new(Config, batch, capacity, Dtype, Device);

    /// <summary>
    /// Loads an HF folder (config.json + model.safetensors or a sharded index, and generation_config.json
    /// when present) into a new model. The modules are built without initialising their weights. A CPU
    /// parameter of the stored dtype is then memory-mapped from its file, privately: its pages come from
    /// the OS file cache when first used and become the process's own only where written (training),
    /// never written back. Other dtypes and devices are read one tensor at a time through a staging
    /// copy. Either way the weights are never held twice.
    /// </summary>
    /// <remarks>
    /// Mapped weights depend on their file while the model lives: replacing it (as <see cref="SavePretrained"/>
    /// does, atomically, even into the same folder) or deleting it is safe; truncating it in place is not
    /// (the process faults on the next touch of a lost page). <see cref="LoadWeights(string)"/> copies instead.
    /// </remarks>
    /// <param name="directory">The model folder.</param>
    /// <param name="dtype">Weight dtype to load into; the config's <c>torch_dtype</c> when null (bf16 stays bf16).</param>
    /// <param name="backend">Attention backend; SDPA when null.</param>
    /// <param name="device">Target device (<c>new Device("cuda:0")</c>…); CPU when null. The weights go
    /// there tensor by tensor, never as a whole CPU copy of the model.</param>
    /// <exception cref="ArgumentException"><paramref name="device"/> is CUDA and LibTorch sees no CUDA device, or is neither CPU nor CUDA.</exception>
    public static LlamaForCausalLM FromPretrained(string directory, ScalarType? dtype = null,
        IAttentionBackend? backend = null, Device? device = null)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Model folder not found: {directory}");
        CheckDevice(device);
        var config = LlamaConfigJson.Load(Path.Combine(directory, "config.json"));
        var generation = GenerationConfigJson.TryLoad(directory);
        generation?.Validate(Path.Combine(directory, GenerationConfig.FileName), config.VocabSize);
        var result = new LlamaForCausalLM(config, backend, dtype, device, initialize: false, seed: 0) { GenerationConfig = generation };
        try
        {
            result.LoadWeights(directory, map: true);
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>Refuses a device the weights cannot be put on, before anything is allocated.</summary>
    internal static void CheckDevice(Device? device)
    {
        if (device is null || device.type == DeviceType.CPU) return;
        if (device.type != DeviceType.CUDA)
            throw new ArgumentException($"Device {device} is not supported; use cpu or cuda[:N].", nameof(device));
        if (!cuda.is_available())
            throw new ArgumentException($"Device {device} was asked for, but CUDA is not available to LibTorch here " +
                "(a CPU-only LibTorch package, or no visible GPU); load on the CPU instead.", nameof(device));
        int count = cuda.device_count();
        if (device.index >= count)
            throw new ArgumentException($"Device {device} was asked for, but LibTorch sees {count} CUDA device(s).", nameof(device));
    }

    /// <summary>
    /// Writes config.json, safetensors weights (sharded with an index above
    /// <paramref name="maxShardBytes"/>) in <paramref name="dtype"/> (the weights' dtype when null),
    /// and generation_config.json when the model has a <see cref="GenerationConfig"/>.
    /// </summary>
    public void SavePretrained(string directory, ScalarType? dtype = null, long maxShardBytes = HfCheckpoint.DefaultMaxShardBytes)
    {
        var target = dtype ?? Dtype;
        Directory.CreateDirectory(directory);
        var config = Config with { TorchDtype = LlamaConfigJson.DtypeName(target) };
        SafeTensorsCheckpoint.Save(directory, state_dict(), maxShardBytes, target);
        LlamaConfigJson.Save(config, Path.Combine(directory, "config.json"));
        if (GenerationConfig is not null) GenerationConfigJson.Save(GenerationConfig, Path.Combine(directory, Modeling.GenerationConfig.FileName));
    }

    /// <summary>
    /// Copies the weights of an HF folder into this model, converting dtypes, after a strict check
    /// that lists all missing and unexpected keys. Older checkpoints' RoPE buffers
    /// (<c>rotary_emb.inv_freq</c>) are recomputed, never loaded; a tied model ignores a stored
    /// <c>lm_head.weight</c>.
    /// </summary>
    /// <exception cref="HfCheckpointException">Keys or shapes differ from this model's config.</exception>
    public void LoadWeights(string directory) => LoadWeights(directory, map: false);

    private void LoadWeights(string directory, bool map) =>
        HfCheckpoint.LoadWeights(state_dict(), directory, key =>
            key.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal)
            || (Config.TieWordEmbeddings && key == "lm_head.weight"), map);
}
