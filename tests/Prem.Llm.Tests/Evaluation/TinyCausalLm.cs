using Prem.Llm.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Evaluation;

/// <summary>
/// A one-layer causal self-attention LM with learned positions and fixed random weights: small,
/// deterministic, context-dependent, with a real key/value cache — the test model of the
/// evaluation area (also compiled into the benchmarks).
/// </summary>
public sealed class TinyCausalLm : IPrefixCachingModel, IDisposable
{
    private readonly Tensor _embedding, _position, _wq, _wk, _wv, _wout;
    private readonly int _dim;

    public TinyCausalLm(int vocab = 41, int dim = 16, int maxLength = 64, long seed = 7)
    {
        var g = new Generator((ulong)seed);
        _dim = dim;
        Vocab = vocab;
        MaxLength = maxLength;
        _embedding = randn([vocab, dim], generator: g);
        _position = randn([maxLength, dim], generator: g) * 0.5;
        _wq = randn([dim, dim], generator: g) / Math.Sqrt(dim);
        _wk = randn([dim, dim], generator: g) / Math.Sqrt(dim);
        _wv = randn([dim, dim], generator: g) / Math.Sqrt(dim);
        _wout = randn([dim, vocab], generator: g);
    }

    public int Vocab { get; }

    public int MaxLength { get; }

    /// <summary>Number of Forward/Prefill/Continue calls (to check that prefix reuse saves work).</summary>
    public int Calls { get; private set; }

    /// <summary>ids [batch, seq] → logits [batch, seq, vocab].</summary>
    public Tensor Forward(Tensor ids)
    {
        Calls++;
        long t = ids.shape[1];
        var x = _embedding.index_select(0, ids.flatten()).view(ids.shape[0], t, _dim) + _position.narrow(0, 0, t);
        var k = x.matmul(_wk);
        var v = x.matmul(_wv);
        var mask = ones([t, t], ScalarType.Bool).tril();
        return Attend(x, k, v, mask);
    }

    public (IPrefixState State, Tensor Logits) Prefill(Tensor ids)
    {
        var batch = ids.unsqueeze(0);
        var logits = Forward(batch)[0];
        long t = ids.shape[0];
        var x = _embedding.index_select(0, ids) + _position.narrow(0, 0, t);
        return (new State(x.matmul(_wk), x.matmul(_wv)), logits);
    }

    public Tensor Continue(IPrefixState state, Tensor ids)
    {
        Calls++;
        var cache = (State)state;
        long b = ids.shape[0], s = ids.shape[1], l = cache.Length;
        var x = _embedding.index_select(0, ids.flatten()).view(b, s, _dim) + _position.narrow(0, l, s);
        var k = cat([cache.Keys.unsqueeze(0).expand(b, l, _dim), x.matmul(_wk)], 1);
        var v = cat([cache.Values.unsqueeze(0).expand(b, l, _dim), x.matmul(_wv)], 1);
        // New position j sees the whole prefix and new positions 0..j.
        var mask = cat([ones([s, l], ScalarType.Bool), ones([s, s], ScalarType.Bool).tril()], 1);
        return Attend(x, k, v, mask);
    }

    private Tensor Attend(Tensor x, Tensor k, Tensor v, Tensor mask)
    {
        var q = x.matmul(_wq);
        var scores = q.matmul(k.transpose(1, 2)) / Math.Sqrt(_dim);
        scores = scores.masked_fill(mask.logical_not(), double.NegativeInfinity);
        var h = x + scores.softmax(-1).matmul(v);
        return h.matmul(_wout);
    }

    public void Dispose()
    {
        foreach (var t in new[] { _embedding, _position, _wq, _wk, _wv, _wout }) t.Dispose();
    }

    private sealed class State(Tensor keys, Tensor values) : IPrefixState
    {
        public Tensor Keys { get; } = keys;
        public Tensor Values { get; } = values;
        public int Length => (int)Keys.shape[0];

        public void Dispose()
        {
            Keys.Dispose();
            Values.Dispose();
        }
    }
}
