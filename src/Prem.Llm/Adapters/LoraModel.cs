using System.Runtime.CompilerServices;
using Prem.Llm.Checkpoints;
using Prem.Llm.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Adapters;

/// <summary>
/// LoRA adapters attached to a <see cref="LlamaForCausalLM"/>, as PEFT's <c>get_peft_model</c> makes
/// them: every base parameter is frozen; each targeted linear layer gains A [r, in] and B [out, r]
/// (parameters <c>…q_proj.lora_A.weight</c>, <c>…q_proj.lora_B.weight</c> of the model), and each of
/// <see cref="LoraConfig.ModulesToSave"/> a trainable full copy. The model's forward then includes the
/// adapters; the trainer's optimizer, gradient reduction and checkpoints see only the trainable parameters.
/// Adapters can be switched off (<see cref="Enabled"/>), merged into the base weights and unmerged, and are
/// saved and loaded as PEFT's folder: <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> with
/// keys <c>base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight</c>…
/// </summary>
public sealed class LoraModel : IDisposable
{
    /// <summary>The adapter weights' file name.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    /// <summary>The prefix PEFT puts before the model's own parameter names.</summary>
    public const string KeyPrefix = "base_model.model.";

    private static readonly ConditionalWeakTable<LlamaForCausalLM, LoraModel> _attached = new();
    private readonly List<LoraLayer> _layers = [];
    private readonly List<SavedModule> _saved = [];
    private readonly List<(Parameter Param, bool RequiresGrad)> _frozen = [];
    private readonly AdapterSwitch _switch;
    private bool _disposed;

    private LoraModel(LlamaForCausalLM model, LoraConfig config, long seed, ScalarType dtype, AdapterSwitch adapterSwitch)
    {
        Model = model;
        Config = config;
        Dtype = dtype;
        _switch = adapterSwitch;
        foreach (var (_, p) in model.named_parameters())
        {
            _frozen.Add((p, p.requires_grad));
            p.requires_grad = false;
        }
        var generator = new Generator((ulong)seed);
        foreach (var (path, module) in model.named_modules())
        {
            if (module is not Linear linear) continue;
            string last = path[(path.LastIndexOf('.') + 1)..];
            if (config.TargetModules.Contains(last)) _layers.Add(new LoraLayer(path, linear, config, dtype, generator, adapterSwitch));
            else if (last == "lm_head" && config.ModulesToSave.Contains("lm_head")) _saved.Add(new SavedModule(path, linear, linear.weight, dtype, adapterSwitch));
        }
        if (config.ModulesToSave.Contains("embed_tokens"))
            _saved.Add(new SavedModule("model.embed_tokens", model.Model.EmbedTokens, model.Model.EmbedTokens.weight!, dtype, adapterSwitch));
    }

    /// <summary>
    /// Attaches new adapters to <paramref name="model"/>, drawn from <paramref name="seed"/> as
    /// <see cref="LoraConfig.Initialization"/> says, in <paramref name="dtype"/> (float32 when null, also over a
    /// bf16 base, as PEFT's autocast_adapter_dtype).
    /// </summary>
    /// <exception cref="LoraException">The config is invalid, the model already has adapters, or it targets a tied output head.</exception>
    public static LoraModel Apply(LlamaForCausalLM model, LoraConfig config, long seed = 0, ScalarType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (_attached.TryGetValue(model, out _)) throw new LoraException("the model already has LoRA adapters; dispose them first.");
        if (model.Config.TieWordEmbeddings)
        {
            if (config.TargetModules.Contains("lm_head"))
                throw new LoraException("target_modules: lm_head is tied to embed_tokens in this model (tie_word_embeddings: true), so it cannot get its own adapter; remove lm_head.");
            if (config.ModulesToSave.Contains("lm_head"))
                throw new LoraException("modules_to_save: lm_head is tied to embed_tokens in this model (tie_word_embeddings: true); save embed_tokens instead.");
        }
        var lora = new LoraModel(model, config, seed, dtype ?? ScalarType.Float32, new AdapterSwitch());
        _attached.Add(model, lora);
        return lora;
    }

    /// <summary>
    /// Attaches the adapters of a PEFT folder (<c>adapter_config.json</c>, <c>adapter_model.safetensors</c>) to
    /// <paramref name="model"/>, in <paramref name="dtype"/> (float32 when null).
    /// </summary>
    /// <exception cref="LoraException">The folder or a file is missing, the config is invalid or unsupported, or the weights
    /// do not fit (missing or unexpected keys, wrong shapes); the message names the file and key.</exception>
    public static LoraModel Load(LlamaForCausalLM model, string directory, ScalarType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Directory.Exists(directory)) throw new LoraException("adapter folder not found.", directory);
        var config = LoraConfigJson.Load(Path.Combine(directory, LoraConfigJson.FileName));
        var lora = Apply(model, config, 0, dtype);
        try
        {
            lora.LoadWeights(directory);
            return lora;
        }
        catch
        {
            lora.Dispose();
            throw;
        }
    }

    /// <summary>The adapters attached to <paramref name="model"/>, or null.</summary>
    public static LoraModel? Of(LlamaForCausalLM model) => _attached.TryGetValue(model, out var lora) ? lora : null;

    /// <summary>The adapted model.</summary>
    public LlamaForCausalLM Model { get; }

    /// <summary>The adapters' settings.</summary>
    public LoraConfig Config { get; }

    /// <summary>The adapter parameters' dtype.</summary>
    public ScalarType Dtype { get; }

    /// <summary>
    /// True while the adapters (and the copies of <see cref="LoraConfig.ModulesToSave"/>) take part in the forward;
    /// false gives the base model's outputs exactly. Switching off merged adapters unmerges them first, as PEFT does.
    /// </summary>
    public bool Enabled
    {
        get => _switch.Enabled;
        set
        {
            if (!value && Merged) Unmerge();
            _switch.Enabled = value;
        }
    }

    /// <summary>True while the adapters are merged into the base weights.</summary>
    public bool Merged => _layers.Count > 0 && _layers[0].Merged;

    /// <summary>The model's trainable parameters (adapters and saved-module copies) with the model's names.</summary>
    public IReadOnlyList<(string Name, Parameter Param)> TrainableParameters =>
        Model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();

    /// <summary>How many numbers are trained.</summary>
    public long TrainableParameterCount => TrainableParameters.Sum(p => p.Param.numel());

    /// <summary>Switches the adapters off until the returned scope is disposed (then back to how they were).</summary>
    public IDisposable Disable()
    {
        bool was = Enabled;
        Enabled = false;
        return new Restore(() => Enabled = was);
    }

    /// <summary>Adds s·BA into every targeted base weight (the forward then skips the adapter terms).</summary>
    public void Merge()
    {
        ThrowIfDisposed();
        if (!Enabled) throw new LoraException("cannot merge disabled adapters; enable them first.");
        foreach (var layer in _layers) layer.Merge();
    }

    /// <summary>Subtracts the merged s·BA again.</summary>
    public void Unmerge()
    {
        ThrowIfDisposed();
        foreach (var layer in _layers) layer.Unmerge();
    }

    /// <summary>The adapter's tensors under PEFT's saved keys (<c>base_model.model.….lora_A.weight</c>, <c>base_model.model.model.embed_tokens.weight</c>…).</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> AdapterStateDict()
    {
        ThrowIfDisposed();
        var state = new List<KeyValuePair<string, Tensor>>();
        foreach (var layer in _layers)
        {
            state.Add(new(KeyPrefix + layer.Path + ".lora_A.weight", layer.A.weight));
            state.Add(new(KeyPrefix + layer.Path + ".lora_B.weight", layer.B.weight));
        }
        foreach (var saved in _saved) state.Add(new(KeyPrefix + saved.Path + ".weight", saved.Weight));
        return state;
    }

    /// <summary>Writes the PEFT folder: <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> (in <paramref name="dtype"/>, the adapters' when null).</summary>
    public void Save(string directory, ScalarType? dtype = null)
    {
        ThrowIfDisposed();
        Directory.CreateDirectory(directory);
        SafeTensorsWriter.Write(Path.Combine(directory, WeightsFileName), AdapterStateDict(), new Dictionary<string, string> { ["format"] = "pt" }, dtype);
        LoraConfigJson.Save(Config, Path.Combine(directory, LoraConfigJson.FileName));
    }

    /// <summary>Loads the adapter weights of a PEFT folder into these adapters, after checking every key and shape.</summary>
    /// <exception cref="LoraException">The file is missing, or keys are missing, unexpected or of the wrong shape (the message names the file and keys).</exception>
    public void LoadWeights(string directory)
    {
        ThrowIfDisposed();
        string path = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(path))
            throw new LoraException(File.Exists(Path.Combine(directory, "adapter_model.bin"))
                ? "adapter_model.safetensors not found; this folder has only the pickled adapter_model.bin, which is not read (convert it to safetensors)."
                : "adapter_model.safetensors not found.", path);
        using var file = SafeTensorsFile.Open(path);
        var expected = AdapterStateDict();
        var names = expected.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Where(e => !file.Contains(e.Key)).Select(e => e.Key).ToList();
        var unexpected = file.Tensors.Select(t => t.Name).Where(n => !names.Contains(n)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new LoraException("the adapter's keys do not match its adapter_config.json and this model" +
                (missing.Count > 0 ? $"; missing {missing.Count}: {List(missing)}" : "") +
                (unexpected.Count > 0 ? $"; unexpected {unexpected.Count}: {List(unexpected)}" : "") + ".", path);
        foreach (var (key, tensor) in expected)
        {
            var stored = file.GetInfo(key).Shape;
            if (!stored.SequenceEqual(tensor.shape))
                throw new LoraException($"tensor '{key}' is [{string.Join(", ", stored)}]; this model with r = {Config.R} needs [{string.Join(", ", tensor.shape)}].", path);
        }
        bool merged = Merged;
        Unmerge();
        using (no_grad())
            foreach (var (key, tensor) in expected) file.ReadInto(key, tensor);
        if (merged) Merge();
    }

    /// <summary>
    /// Writes the adapted model as a plain HF folder (config.json, safetensors, generation_config.json): each
    /// targeted weight W + s·BA, the saved modules' copies in place of their originals, in <paramref name="dtype"/>
    /// (the base weights' when null). The model itself is left as it is.
    /// </summary>
    public void SaveMerged(string directory, ScalarType? dtype = null, long maxShardBytes = HfCheckpoint.DefaultMaxShardBytes)
    {
        ThrowIfDisposed();
        var target = dtype ?? Model.Dtype;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var replace = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var layer in _layers)
            replace[layer.Path + ".weight"] = layer.Merged ? layer.Base.weight : layer.Base.weight.to_type(ScalarType.Float32).add(layer.DeltaWeight());
        foreach (var saved in _saved) replace[saved.Path + ".weight"] = saved.Weight;
        var state = Model.state_dict()
            .Where(kv => !IsAdapterKey(kv.Key))
            .Select(kv => new KeyValuePair<string, Tensor>(kv.Key, replace.GetValueOrDefault(kv.Key) ?? kv.Value))
            .ToList();
        var config = Model.Config with { TorchDtype = LlamaConfigJson.DtypeName(target) };
        if (config.TieWordEmbeddings && replace.ContainsKey("model.embed_tokens.weight"))
        {
            // A tied head keeps reading the original embedding while the lookups use the trained copy: two matrices
            // now, so the merged model is untied with the original as its head (exactly the adapter's outputs).
            config = config with { TieWordEmbeddings = false };
            state.Add(new("lm_head.weight", Model.HeadWeight));
        }
        Directory.CreateDirectory(directory);
        SafeTensorsCheckpoint.Save(directory, state, maxShardBytes, target);
        LlamaConfigJson.Save(config, Path.Combine(directory, "config.json"));
        if (Model.GenerationConfig is { } generation) GenerationConfigJson.Save(generation, Path.Combine(directory, GenerationConfig.FileName));
    }

    /// <summary>True for the model state-dict keys the adapters add (<c>lora_A</c>, <c>lora_B</c>, <c>modules_to_save</c>).</summary>
    public static bool IsAdapterKey(string key) =>
        key.Contains(".lora_A.", StringComparison.Ordinal) || key.Contains(".lora_B.", StringComparison.Ordinal)
        || key.Contains(".modules_to_save.", StringComparison.Ordinal);

    /// <summary>
    /// The same adapters on <paramref name="replica"/> (a working copy of <see cref="Model"/> with the same
    /// config), in <paramref name="dtype"/>, sharing the on/off switch; the caller copies the values.
    /// </summary>
    internal LoraModel Replicate(LlamaForCausalLM replica, ScalarType dtype)
    {
        var copy = new LoraModel(replica, Config, 0, dtype, _switch);
        _attached.AddOrUpdate(replica, copy);
        return copy;
    }

    /// <summary>
    /// The operands of the output projection for hidden rows <paramref name="hidden"/> [n, hidden] as one
    /// matrix product, for the fused cross-entropy that never forms the logits: (hidden, head weight) with
    /// no head adapter; with LoRA on <c>lm_head</c>, [h, s·A dropout(h)] and [W, B] (their product is
    /// W h + s·B A dropout(h) exactly); with a saved head copy, the copy.
    /// </summary>
    internal static (Tensor Hidden, Tensor Weight) HeadOperands(LlamaForCausalLM model, Tensor hidden)
    {
        if (Of(model) is not { } lora || !lora.Enabled) return (hidden, model.HeadWeight);
        if (lora._saved.FirstOrDefault(s => s.Path == "lm_head") is { } saved)
            return (hidden, saved.Weight.dtype == hidden.dtype ? saved.Weight : saved.Weight.to_type(hidden.dtype));
        if (lora._layers.FirstOrDefault(l => l.Path == "lm_head") is not { Merged: false } head) return (hidden, model.HeadWeight);
        var a = head.Down(hidden);
        return (cat([hidden, a.to_type(hidden.dtype)], 1), cat([model.HeadWeight, head.B.weight.to_type(model.HeadWeight.dtype)], 1));
    }

    /// <summary>Detaches the adapters (unmerging them first) and gives the base parameters back their trainability.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var layer in _layers)
        {
            layer.Unmerge();
            layer.Remove();
        }
        foreach (var saved in _saved) saved.Remove();
        foreach (var (p, requiresGrad) in _frozen) p.requires_grad = requiresGrad;
        if (_attached.TryGetValue(Model, out var attached) && ReferenceEquals(attached, this)) _attached.Remove(Model);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static string List(List<string> keys) => string.Join(", ", keys.Take(5)) + (keys.Count > 5 ? $", … ({keys.Count - 5} more)" : "");

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
