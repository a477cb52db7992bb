using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// The MLP's first half in one dispatch: gate and up rows of the same chunk, then
/// silu(gate) · up for those rows, written over the gate output.
/// </summary>
internal sealed unsafe class GateUpJob : IPoolJob
{
    CpuMatrix _gate = null!;
    CpuMatrix _up = null!;
    float[]? _gateBias;
    float[]? _upBias;
    float* _x;
    int _xStride;
    int _tokens;
    float* _gateOut;
    float* _upOut;
    int _chunkRows;
    PreparedInput? _prepared;

    /// <summary>Sets the run; returns the number of chunks.</summary>
    public int Begin(CpuMatrix gate, CpuMatrix up, float[]? gateBias, float[]? upBias, float* x, int xStride, int tokens, float* gateOut, float* upOut, int workers, PreparedInput? prepared = null)
    {
        _prepared = prepared;
        (_gate, _up, _gateBias, _upBias, _xStride, _tokens) = (gate, up, gateBias, upBias, xStride, tokens);
        _x = x;
        _gateOut = gateOut;
        _upOut = upOut;
        _chunkRows = ProjectionJob.ChunkRows(gate, workers, tokens);
        return (gate.Rows + _chunkRows - 1) / _chunkRows;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int chunk, int worker)
    {
        int rows = _gate.Rows;
        int start = chunk * _chunkRows, end = Math.Min(rows, start + _chunkRows);
        _gate.Multiply(_x, _xStride, _tokens, _gateOut, rows, start, end, _prepared);
        _up.Multiply(_x, _xStride, _tokens, _upOut, rows, start, end, _prepared);
        for (int t = 0; t < _tokens; t++)
        {
            var g = new Span<float>(_gateOut + (long)t * rows + start, end - start);
            var u = new Span<float>(_upOut + (long)t * rows + start, end - start);
            if (_gateBias is not null) TensorPrimitives.Add(g, _gateBias.AsSpan(start, end - start), g);
            if (_upBias is not null) TensorPrimitives.Add(u, _upBias.AsSpan(start, end - start), u);
            // silu(g) = g · sigmoid(g), then · u, as the TorchSharp path rounds it.
            var s = Scratch(g.Length);
            TensorPrimitives.Sigmoid(g, s);
            TensorPrimitives.Multiply(g, s, s);
            TensorPrimitives.Multiply(s, u, g);
        }
    }

    [ThreadStatic] static float[]? _scratch;

    static Span<float> Scratch(int length)
    {
        if (_scratch is null || _scratch.Length < length) _scratch = new float[Math.Max(length, 4096)];
        return _scratch.AsSpan(0, length);
    }
}
