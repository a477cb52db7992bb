using Prem.Llm.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>
/// The decoder stack without the output head: embeddings, decoder layers, final norm. HF's
/// <c>model.*</c> parameter names.
/// </summary>
public sealed class LlamaModel : nn.Module
{
    // State-dict names are HF's (ComponentName), not the fields'.
    [TorchSharp.Utils.ComponentName(Name = "embed_tokens")]
    private readonly Embedding _embed_tokens;
    [TorchSharp.Utils.ComponentName(Name = "layers")]
    private readonly ModuleList<LlamaDecoderLayer> _layers;
    [TorchSharp.Utils.ComponentName(Name = "norm")]
    private readonly RmsNorm _norm;
    private readonly RotaryEmbedding _rotary;
    private readonly IReadOnlyList<LlamaDecoderLayer> _layerList;

    /// <summary>Creates the stack for <paramref name="config"/>.</summary>
    public LlamaModel(LlamaConfig config, IAttentionBackend backend, ScalarType? dtype = null, Device? device = null)
        : base(nameof(LlamaModel))
    {
        Config = config;
        _embed_tokens = WeightInit.Embedding(config.VocabSize, config.HiddenSize, device, dtype);
        _layers = new ModuleList<LlamaDecoderLayer>();
        for (int i = 0; i < config.NumHiddenLayers; i++)
            _layers.Add(new LlamaDecoderLayer(config, i, backend, dtype, device));
        _norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        _rotary = new RotaryEmbedding(config);
        RegisterComponents();
        _layerList = Array.AsReadOnly(_layers.ToArray());
    }

    /// <summary>The configuration the stack was built from.</summary>
    public LlamaConfig Config { get; }

    /// <summary>The token embedding, [vocab, hidden].</summary>
    public Embedding EmbedTokens => _embed_tokens;

    /// <summary>The decoder layers (one list, built with the stack).</summary>
    public IReadOnlyList<LlamaDecoderLayer> Layers => _layerList;

    /// <summary>
    /// When set, runs each decoder layer of a forward pass without a KV cache in place of
    /// <see cref="LlamaDecoderLayer.Forward"/> (the trainer's activation checkpointing hooks in here);
    /// arguments are the layer, hidden [batch, seq, hidden], cos, sin and the mask.
    /// </summary>
    public Func<LlamaDecoderLayer, Tensor, Tensor, Tensor, AttentionMask, Tensor>? LayerRunner { get; set; }

    /// <summary>
    /// Hidden states [batch, seq, hidden] for <paramref name="inputIds"/> [batch, seq] (int64).
    /// </summary>
    /// <param name="inputIds">Token ids of this step.</param>
    /// <param name="attentionMask">[batch, seq], nonzero for real tokens and 0 for padding (left or right).</param>
    /// <param name="documentIds">[batch, seq] document ids of packed rows: positions restart per document
    /// and no token attends across documents.</param>
    /// <param name="positionIds">Explicit positions [batch, seq]; derived from the mask, documents or cache when null.</param>
    /// <param name="cache">Keys and values of earlier steps; this step's are appended.</param>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? documentIds = null,
        Tensor? positionIds = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        if (inputIds.dim() != 2)
            throw new ArgumentException($"inputIds must be [batch, seq]; got {inputIds.dim()} dimensions.", nameof(inputIds));
        long batch = inputIds.shape[0], seq = inputIds.shape[1];
        long offset = cache?.Length ?? 0;
        if (documentIds is not null && cache is not null)
            throw new ArgumentException("Packed rows (documentIds) cannot be combined with a KV cache.", nameof(documentIds));
        if (cache is not null && cache.Batch != batch)
            throw new ArgumentException($"The cache holds {cache.Batch} rows; inputIds has {batch}.", nameof(cache));

        Tensor? keyPadding = cache is not null ? cache.AppendMask(attentionMask, seq) : attentionMask?.ne(0);
        if (positionIds is null)
        {
            if (documentIds is not null) positionIds = PackedSequence.Positions(documentIds.to(inputIds.device));
            else if (keyPadding is not null)
                positionIds = keyPadding.to_type(ScalarType.Int64).cumsum(1).sub(1).clamp_min(0).narrow(1, offset, seq);
            else positionIds = arange(offset, offset + seq, dtype: ScalarType.Int64, device: inputIds.device).expand(batch, seq);
        }

        // The window only changes the mask once some query is a full window past a key; before that
        // the plain causal mask (and its fused paths) is exact.
        long? window = Config.SlidingWindow is int w && offset + seq > w ? w : null;
        var mask = new AttentionMask { QueryOffset = offset, KeyPadding = keyPadding, DocumentIds = documentIds, SlidingWindow = window };
        var hidden = _embed_tokens.call(inputIds);
        var (cos, sin) = _rotary.Forward(positionIds, hidden.dtype);
        foreach (var layer in _layers)
            hidden = cache is null && LayerRunner is not null
                ? LayerRunner(layer, hidden, cos, sin, mask)
                : layer.Forward(hidden, cos, sin, mask, cache);
        cache?.Advance(seq);
        return _norm.forward(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>Frees the stack's modules and the rotary embedding's kept tensor.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _rotary.Dispose();
        base.Dispose(disposing);
    }
}
