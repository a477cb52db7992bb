using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Prem.Llm.Attention;
using Prem.Llm.Adapters;
using Prem.Llm.Modeling;
using Prem.Llm.Native;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// A CPU inference engine for a <see cref="LlamaForCausalLM"/>: the same arithmetic as the TorchSharp
/// forward (float32 activations, HF's RMSNorm/RoPE/SiLU/GQA), written as a few fused kernels on a
/// fixed <see cref="WorkerPool"/> so that decoding one token reads each weight matrix once and
/// allocates nothing. float32 and bf16 weights are read in place from the model's tensors (bf16 weights
/// multiply activations rounded to bf16, as LibTorch's bf16 products do); <see cref="CpuWeightFormat.Int8"/>
/// quantises a copy and <see cref="CpuWeightFormat.Bf16"/> rounds one to bf16.
/// </summary>
/// <remarks>
/// One <see cref="Forward"/> call runs up to <see cref="MaxTokens"/> tokens, each with its own KV-cache
/// slot and position: a prompt chunk (prefill, batched through the 4×4 register-blocked kernel), one
/// new token of each of several sequences (batched decode), or a mix. Not thread-safe: one call at a time.
/// </remarks>
internal sealed unsafe class CpuLlama
{
    const long InlineWork = 1 << 15; // multiply-adds below which threads cost more than they save

    readonly LlamaForCausalLM _model;
    readonly WorkerPool _pool;
    readonly CpuRope _rope;
    readonly ProjectionJob _projection = new();
    readonly GateUpJob _gateUp = new();
    readonly AttentionJob _attention = new();
    readonly Q8Activations _q8 = new();
    readonly Bf16Activations _bf16 = new();
    readonly PromptGemm _gemm = new();
    readonly int _hidden, _heads, _kvHeads, _headDim, _qDim, _kvDim, _qkvDim, _inter, _vocab;
    readonly float _eps;
    readonly float[] _x, _xn, _qkv, _att, _tmp, _gate, _up, _cos, _sin;
    readonly int[] _slots, _positions, _identity, _last = new int[1];
    Dictionary<string, Tensor> _parameters = [];
    CpuLayer[] _layers = [];
    CpuMatrix _embedding = null!;
    CpuMatrix _head = null!;
    float[] _finalNorm = [];

    /// <summary>Builds the engine over <paramref name="model"/>'s weights (see <see cref="Unsupported"/>).</summary>
    public CpuLlama(LlamaForCausalLM model, CpuWeightFormat format = CpuWeightFormat.AsLoaded, WorkerPool? pool = null, int maxTokens = 512)
    {
        if (Unsupported(model) is { } reason) throw new NotSupportedException($"The CPU engine does not apply: {reason}");
        _model = model;
        _pool = pool ?? WorkerPool.Shared;
        Format = format;
        var c = Config = model.Config;
        (_hidden, _heads, _kvHeads, _headDim, _inter, _vocab) = (c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.IntermediateSize, c.VocabSize);
        (_qDim, _kvDim) = (_heads * _headDim, _kvHeads * _headDim);
        _qkvDim = _qDim + 2 * _kvDim;
        _eps = (float)c.RmsNormEps;
        _rope = new CpuRope(c);
        MaxTokens = maxTokens;
        _x = Buffer(maxTokens * _hidden);
        _xn = Buffer(maxTokens * _hidden);
        _qkv = Buffer(maxTokens * _qkvDim);
        _att = Buffer(maxTokens * _qDim);
        _tmp = Buffer(maxTokens * _hidden);
        _gate = Buffer(maxTokens * _inter);
        _up = Buffer(maxTokens * _inter);
        _cos = new float[maxTokens * _rope.Half];
        _sin = new float[maxTokens * _rope.Half];
        _slots = new int[maxTokens];
        _positions = new int[maxTokens];
        _identity = Enumerable.Range(0, maxTokens).ToArray();
        int widest = Math.Max(Math.Max(_hidden, _qDim), _inter);
        if (format == CpuWeightFormat.Int8) _q8.Reserve(maxTokens, widest);
        else if (format == CpuWeightFormat.Bf16 || model.Dtype == ScalarType.BFloat16) _bf16.Reserve(maxTokens, widest);
        Load(copy: format != CpuWeightFormat.AsLoaded);
    }

    /// <summary>The model's configuration.</summary>
    public LlamaConfig Config { get; }

    /// <summary>How the matrices are held.</summary>
    public CpuWeightFormat Format { get; }

    /// <summary>Most tokens per <see cref="Forward"/> call.</summary>
    public int MaxTokens { get; }

    /// <summary>The pool the kernels run on.</summary>
    public WorkerPool Pool => _pool;

    /// <summary>Weight bytes one decode step reads: every layer matrix, the final norm aside, and the output head.</summary>
    public long WeightBytesPerToken => _layers.Sum(l => l.Bytes) + _head.Bytes;

    /// <summary>A short name of the weights' format: "float32", "bfloat16", "int8" or "bf16-copy".</summary>
    public string FormatName => Format switch
    {
        CpuWeightFormat.Int8 => "int8",
        CpuWeightFormat.Bf16 => "bf16-copy",
        _ => _model.Dtype == ScalarType.BFloat16 ? "bfloat16" : "float32",
    };

    /// <summary>
    /// Which kernels run the matrix products: "avx512-bf16" or "avx512-vnni" (the native library, for bf16 or int8
    /// weights where the CPU has that extension), "avx-vnni" (int8 in .NET's AVX-VNNI, <see cref="Int8PanelVnni"/>) or
    /// "managed" (.NET vector code).
    /// </summary>
    public string KernelsName
    {
        get
        {
            // Copies chose their kernel when they were made (panels for the native one).
            if (Format == CpuWeightFormat.Int8)
                return _head switch
                {
                    Int8Matrix { Native: true } => NativeCpuKernels.Int8.Name,
                    Int8Matrix { Panels: true } when Int8PanelKernel.UseAvx2 && Int8PanelKernel.UseAvxVnni => "avx-vnni",
                    _ => "managed",
                };
            if (Format == CpuWeightFormat.Bf16) return _head is Bf16PanelMatrix ? NativeCpuKernels.Bf16.Name : "managed";
            return _model.Dtype == ScalarType.BFloat16 && NativeCpuKernels.Bf16.Use ? NativeCpuKernels.Bf16.Name : "managed";
        }
    }

    /// <summary>
    /// Why the engine cannot run <paramref name="model"/> (null when it can): weights on a GPU, a dtype
    /// other than float32/bf16, a custom attention backend, or LoRA adapters (they run as forward hooks the
    /// engine would skip; the TorchSharp forward applies them).
    /// </summary>
    public static string? Unsupported(LlamaForCausalLM model)
    {
        if (model.Device.type != DeviceType.CPU) return $"the weights are on {model.Device}.";
        if (model.Dtype is not (ScalarType.Float32 or ScalarType.BFloat16)) return $"the weights are {model.Dtype} (float32 and bfloat16 are supported).";
        foreach (var layer in model.Model.Layers)
            if (layer.Attention.Backend is not (AutoSdpaAttention or SdpaAttention or EagerAttention))
                return $"layer attention backend {layer.Attention.Backend.GetType().Name} is custom.";
        if (LoraModel.Of(model) is not null)
            return "the model has LoRA adapters (merge them into a plain model with LoraModel.SaveMerged for the CPU engine).";
        return null;
    }

    /// <summary>The layers' matrices, norms and biases as the engine reads them.</summary>
    public IReadOnlyList<CpuLayer> Layers => _layers;

    /// <summary>A cache of <paramref name="slots"/> sequences of up to <paramref name="capacity"/> positions.</summary>
    public CpuKvCache CreateCache(int slots, int capacity) => new(Config.NumHiddenLayers, slots, capacity, _kvHeads, _headDim);

    /// <summary>
    /// Re-reads the model's tensors: their addresses (a model moved or reloaded gets new ones), norms and
    /// biases. Copies (<see cref="CpuWeightFormat.Int8"/>, <see cref="CpuWeightFormat.Bf16"/>) keep the values they
    /// were made from when the engine was built.
    /// </summary>
    public void Refresh() => Load(copy: false);

    void Load(bool copy)
    {
        var parameters = new Dictionary<string, Tensor>();
        foreach (var (name, p) in _model.named_parameters()) parameters[name] = p;
        bool keep = Format != CpuWeightFormat.AsLoaded && !copy;
        CpuMatrix Matrix(string name, CpuMatrix? previous) => keep ? previous! : MatrixOf(parameters[name], Format);
        float[]? Bias(string name) => parameters.TryGetValue(name, out var b) ? VectorOf(b) : null;
        var layers = new CpuLayer[Config.NumHiddenLayers];
        for (int i = 0; i < layers.Length; i++)
        {
            string a = $"model.layers.{i}.self_attn.", m = $"model.layers.{i}.mlp.";
            var old = _layers.Length > i ? _layers[i] : null;
            layers[i] = new CpuLayer
            {
                Q = Matrix(a + "q_proj.weight", old?.Q), K = Matrix(a + "k_proj.weight", old?.K),
                V = Matrix(a + "v_proj.weight", old?.V), O = Matrix(a + "o_proj.weight", old?.O),
                Gate = Matrix(m + "gate_proj.weight", old?.Gate), Up = Matrix(m + "up_proj.weight", old?.Up),
                Down = Matrix(m + "down_proj.weight", old?.Down),
                InputNorm = VectorOf(parameters[$"model.layers.{i}.input_layernorm.weight"]),
                PostAttentionNorm = VectorOf(parameters[$"model.layers.{i}.post_attention_layernorm.weight"]),
                QBias = Bias(a + "q_proj.bias"), KBias = Bias(a + "k_proj.bias"), VBias = Bias(a + "v_proj.bias"),
                OBias = Bias(a + "o_proj.bias"), GateBias = Bias(m + "gate_proj.bias"), UpBias = Bias(m + "up_proj.bias"),
                DownBias = Bias(m + "down_proj.bias"),
            };
        }
        var embedding = Matrix("model.embed_tokens.weight", _embedding);
        _head = Config.TieWordEmbeddings ? embedding : Matrix("lm_head.weight", _head);
        _embedding = embedding;
        _finalNorm = VectorOf(parameters["model.norm.weight"]);
        _layers = layers;
        _parameters = parameters; // keeps the tensors the matrices point into alive
    }

    static CpuMatrix MatrixOf(Tensor weight, CpuWeightFormat format)
    {
        if (weight.dim() != 2 || weight.device_type != DeviceType.CPU || !weight.is_contiguous())
            throw new NotSupportedException($"The CPU engine needs contiguous 2-D CPU weights; got [{string.Join(", ", weight.shape)}] on {weight.device}.");
        int rows = checked((int)weight.shape[0]), cols = checked((int)weight.shape[1]);
        IntPtr data = TensorMemory.DataPointer(weight);
        CpuMatrix view = weight.dtype switch
        {
            ScalarType.Float32 => new Fp32Matrix((float*)data) { Rows = rows, Cols = cols, Weight = weight },
            ScalarType.BFloat16 => new Bf16Matrix((ushort*)data) { Rows = rows, Cols = cols, Weight = weight },
            _ => throw new NotSupportedException($"The CPU engine reads float32 or bfloat16 weights, not {weight.dtype}."),
        };
        return format switch
        {
            CpuWeightFormat.Int8 => Int8Matrix.Quantize(rows, cols, view.ReadRow),
            CpuWeightFormat.Bf16 when NativeCpuKernels.Bf16.Use => Bf16PanelMatrix.Pack(rows, cols, view.ReadRow),
            CpuWeightFormat.Bf16 => Bf16Matrix.Copy(rows, cols, view.ReadRow),
            _ => view,
        };
    }

    static float[] VectorOf(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
    }

    static float[] Buffer(int length) => GC.AllocateArray<float>(Math.Max(length, 1), pinned: true);

    static float* Pointer(float[] pinned) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));

    /// <summary>
    /// Runs the prompt tokens <paramref name="prompt"/> of sequence <paramref name="slot"/> from position
    /// <paramref name="start"/> (in chunks of <see cref="MaxTokens"/>) and writes the last token's logits.
    /// </summary>
    public void Prefill(ReadOnlySpan<int> prompt, int slot, int start, CpuKvCache cache, Span<float> logits)
    {
        if (prompt.IsEmpty) throw new ArgumentException("The prompt is empty.", nameof(prompt));
        int total = start + prompt.Length;
        for (int c = 0; c < prompt.Length; c += MaxTokens)
        {
            int n = Math.Min(MaxTokens, prompt.Length - c);
            // Forward copies slots and positions into these same arrays, element by element.
            var chunkSlots = _slots.AsSpan(0, n);
            var chunkPositions = _positions.AsSpan(0, n);
            chunkSlots.Fill(slot);
            for (int i = 0; i < n; i++) chunkPositions[i] = start + c + i;
            bool last = c + n == prompt.Length;
            _last[0] = n - 1;
            Forward(prompt.Slice(c, n), chunkSlots, chunkPositions, cache, last ? _last : ReadOnlySpan<int>.Empty, logits, ropeLength: total, prompt: true);
        }
    }

    /// <summary>
    /// One token per entry: token i goes to sequence slots[i] at positions[i]; logits [count, vocab] for every token.
    /// </summary>
    public void Step(ReadOnlySpan<int> tokens, ReadOnlySpan<int> slots, ReadOnlySpan<int> positions, CpuKvCache cache, Span<float> logits)
    {
        for (int c = 0; c < tokens.Length; c += MaxTokens)
        {
            int n = Math.Min(MaxTokens, tokens.Length - c);
            Forward(tokens.Slice(c, n), slots.Slice(c, n), positions.Slice(c, n), cache, _identity.AsSpan(0, n), logits[(c * _vocab)..]);
        }
    }

    /// <summary>
    /// Runs up to <see cref="MaxTokens"/> tokens through the model: token i is written to cache slot
    /// <paramref name="slots"/>[i] at <paramref name="positions"/>[i] and attends to that slot's positions
    /// 0 … positions[i] (earlier ones must be filled, by this call or before). Logits of the tokens listed in
    /// <paramref name="logitTokens"/> go to <paramref name="logits"/> [logitTokens.Length, vocab].
    /// <paramref name="ropeLength"/> is the sequence length "dynamic"/"longrope" scaling sees (0: each token's position + 1).
    /// <paramref name="prompt"/>: a prompt chunk, whose projections may run through LibTorch's GEMM
    /// (<see cref="PromptGemm"/>; for bf16 weights on activations rounded to bf16, as the engine's kernels and the TorchSharp
    /// bf16 forward round them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(ReadOnlySpan<int> tokens, ReadOnlySpan<int> slots, ReadOnlySpan<int> positions, CpuKvCache cache,
        ReadOnlySpan<int> logitTokens, Span<float> logits, int ropeLength = 0, bool prompt = false)
    {
        int n = tokens.Length;
        if (n == 0 || n > MaxTokens) throw new ArgumentOutOfRangeException(nameof(tokens), n, $"must be 1 … {MaxTokens} tokens.");
        if (slots.Length != n || positions.Length != n) throw new ArgumentException("tokens, slots and positions differ in length.");
        if (logits.Length < logitTokens.Length * _vocab) throw new ArgumentException($"logits holds {logits.Length} floats; {logitTokens.Length} rows need {logitTokens.Length * _vocab}.", nameof(logits));
        if (cache.Layers != Config.NumHiddenLayers || cache.KvHeads != _kvHeads || cache.HeadDim != _headDim)
            throw new ArgumentException("The cache was made for another model.", nameof(cache));
        for (int i = 0; i < n; i++)
        {
            if ((uint)tokens[i] >= (uint)_vocab) throw new ArgumentOutOfRangeException(nameof(tokens), tokens[i], $"outside the vocabulary [0, {_vocab}).");
            if ((uint)slots[i] >= (uint)cache.Slots) throw new ArgumentOutOfRangeException(nameof(slots), slots[i], $"the cache has {cache.Slots} slots.");
            if ((uint)positions[i] >= (uint)cache.Capacity)
                throw new InvalidOperationException($"KV cache is full: position {positions[i]} is past its capacity of {cache.Capacity}.");
            _slots[i] = slots[i];
            _positions[i] = positions[i];
        }
        int half = _rope.Half;
        float* x = Pointer(_x), xn = Pointer(_xn), qkv = Pointer(_qkv), att = Pointer(_att), tmp = Pointer(_tmp);
        for (int i = 0; i < n; i++)
        {
            _embedding.ReadRow(tokens[i], _x.AsSpan(i * _hidden, _hidden));
            int length = ropeLength > 0 ? ropeLength : SlotLength(i, n);
            _rope.Angles(positions[i], length, _cos.AsSpan(i * half, half), _sin.AsSpan(i * half, half));
        }

        bool gemm = prompt && _layers.Length > 0 && PromptGemm.Applies(_layers[0].Q, n);
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            for (int i = 0; i < n; i++) RmsNorm(_x.AsSpan(i * _hidden, _hidden), layer.InputNorm, _xn.AsSpan(i * _hidden, _hidden));

            if (gemm)
            {
                _gemm.SetInput(xn, _hidden, n, _hidden, layer.Q);
                _gemm.Multiply(layer.Q, layer.QBias, qkv, _qkvDim);
                _gemm.Multiply(layer.K, layer.KBias, qkv + _qDim, _qkvDim);
                _gemm.Multiply(layer.V, layer.VBias, qkv + _qDim + _kvDim, _qkvDim);
            }
            else
            {
                _projection.Begin(xn, _hidden, n, qkv, _qkvDim, Prepared(layer.Q, xn, _hidden, n));
                _projection.Add(layer.Q, layer.QBias, 0, _pool.Workers);
                _projection.Add(layer.K, layer.KBias, _qDim, _pool.Workers);
                _projection.Add(layer.V, layer.VBias, _qDim + _kvDim, _pool.Workers);
                Dispatch(_projection, _projection.Chunks, _projection.Work);
            }

            for (int i = 0; i < n; i++) RotateAndStore(cache, l, i);

            if (gemm) PromptAttention.Run(cache, l, _slots[0], qkv, _qkvDim, n, _positions[0], _heads, att, _qDim);
            else
            {
                int chunks = _attention.Begin(cache, l, qkv, _qkvDim, att, _qDim, _slots, _positions, n, _heads, _headDim, _pool.Workers);
                Dispatch(_attention, chunks, (long)n * _qDim * (positions[n - 1] + 1) * 2);
            }

            Project(layer.O, layer.OBias, att, _qDim, n, tmp, _hidden, gemm);
            TensorPrimitives.Add(_x.AsSpan(0, n * _hidden), _tmp.AsSpan(0, n * _hidden), _x.AsSpan(0, n * _hidden));

            for (int i = 0; i < n; i++) RmsNorm(_x.AsSpan(i * _hidden, _hidden), layer.PostAttentionNorm, _xn.AsSpan(i * _hidden, _hidden));
            if (gemm && layer.GateBias is null && layer.UpBias is null && layer.DownBias is null)
            {
                _gemm.SetInput(xn, _hidden, n, _hidden, layer.Gate);
                _gemm.Mlp(layer.Gate, layer.Up, layer.Down, tmp, _hidden);
            }
            else
            {
                int chunks = _gateUp.Begin(layer.Gate, layer.Up, layer.GateBias, layer.UpBias, xn, _hidden, n, Pointer(_gate), Pointer(_up), _pool.Workers, Prepared(layer.Gate, xn, _hidden, n));
                Dispatch(_gateUp, chunks, 2L * n * _hidden * _inter);
                Project(layer.Down, layer.DownBias, Pointer(_gate), _inter, n, tmp, _hidden, gemm: false);
            }
            TensorPrimitives.Add(_x.AsSpan(0, n * _hidden), _tmp.AsSpan(0, n * _hidden), _x.AsSpan(0, n * _hidden));
        }

        _gemm.Clear();
        int m = logitTokens.Length;
        if (m == 0) return;
        for (int j = 0; j < m; j++) RmsNorm(_x.AsSpan(logitTokens[j] * _hidden, _hidden), _finalNorm, _xn.AsSpan(j * _hidden, _hidden));
        fixed (float* output = logits)
        {
            _projection.Begin(xn, _hidden, m, output, _vocab, Prepared(_head, xn, _hidden, m));
            _projection.Add(_head, null, 0, _pool.Workers);
            Dispatch(_projection, _projection.Chunks, _projection.Work);
        }
    }

    // One projection [n, cols] → [n, rows] at y: LibTorch's GEMM for a prompt chunk (gemm), else the engine's kernel.
    void Project(CpuMatrix matrix, float[]? bias, float* x, int cols, int n, float* y, int yStride, bool gemm)
    {
        if (gemm)
        {
            _gemm.SetInput(x, cols, n, cols, matrix);
            _gemm.Multiply(matrix, bias, y, yStride);
            return;
        }
        _projection.Begin(x, cols, n, y, yStride, Prepared(matrix, x, cols, n));
        _projection.Add(matrix, bias, 0, _pool.Workers);
        Dispatch(_projection, _projection.Chunks, _projection.Work);
    }

    // Bf16 and int8 matrices read the input rounded or quantised: done once here for every row chunk of the
    // dispatch and every matrix sharing the input.
    PreparedInput? Prepared(CpuMatrix matrix, float* x, int cols, int tokens) => PreparedInput.For(matrix, x, cols, tokens, _q8, _bf16);

    // The sequence length a token's call covers for its slot: the largest position of that slot in the call + 1.
    int SlotLength(int i, int n)
    {
        int length = _positions[i] + 1;
        for (int j = 0; j < n; j++)
            if (_slots[j] == _slots[i]) length = Math.Max(length, _positions[j] + 1);
        return length;
    }

    void RotateAndStore(CpuKvCache cache, int layer, int i)
    {
        int half = _rope.Half;
        var cos = _cos.AsSpan(i * half, half);
        var sin = _sin.AsSpan(i * half, half);
        var row = _qkv.AsSpan(i * _qkvDim, _qkvDim);
        for (int h = 0; h < _heads; h++) CpuRope.Rotate(row.Slice(h * _headDim, _headDim), cos, sin);
        for (int g = 0; g < _kvHeads; g++)
        {
            var key = row.Slice(_qDim + g * _headDim, _headDim);
            CpuRope.Rotate(key, cos, sin);
            long offset = (long)_positions[i] * _headDim;
            key.CopyTo(new Span<float>(cache.Keys(layer, _slots[i], g) + offset, _headDim));
            row.Slice(_qDim + _kvDim + g * _headDim, _headDim).CopyTo(new Span<float>(cache.Values(layer, _slots[i], g) + offset, _headDim));
        }
    }

    void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y)
    {
        // HF's LlamaRMSNorm in float32: x · rsqrt(mean(x²) + eps), then · weight.
        float meanSquare = TensorPrimitives.SumOfSquares(x) / x.Length;
        float scale = 1f / MathF.Sqrt(meanSquare + _eps);
        TensorPrimitives.Multiply(x, scale, y);
        TensorPrimitives.Multiply(y, weight, y);
    }

    void Dispatch(IPoolJob job, int chunks, long work)
    {
        if (work < InlineWork || _pool.Workers == 1)
            for (int c = 0; c < chunks; c++) job.Execute(c, 0);
        else _pool.Run(job, chunks);
    }
}
