using System.Diagnostics;

namespace Prem.Llm.Generation;

/// <summary>Accumulates a generation's own work time, paused while the caller holds a yielded step.</summary>
internal sealed class GenerationTimer(string engine, int promptTokens, string? cpuKernels = null)
{
    readonly Stopwatch _watch = Stopwatch.StartNew();
    TimeSpan _first;
    int _steps, _generated, _firstTokens;

    /// <summary>Pauses before handing a step of <paramref name="tokens"/> new tokens to the caller.</summary>
    public void Yielding(int tokens)
    {
        _watch.Stop();
        if (_steps++ == 0)
        {
            _first = _watch.Elapsed;
            _firstTokens = tokens;
        }
        _generated += tokens;
    }

    /// <summary>Resumes once the caller asks for the next step.</summary>
    public void Resumed() => _watch.Start();

    /// <summary>The timings so far.</summary>
    public GenerationStats Stats()
    {
        _watch.Stop();
        var total = _watch.Elapsed;
        return new GenerationStats
        {
            Engine = engine, CpuKernels = cpuKernels, PromptTokens = promptTokens, GeneratedTokens = _generated, DecodeTokens = _generated - _firstTokens,
            TimeToFirstToken = _steps > 0 ? _first : total, DecodeTime = _steps > 0 ? total - _first : TimeSpan.Zero,
        };
    }
}
