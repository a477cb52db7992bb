namespace Prem.Llm.Evaluation;

/// <summary>The cached state of a prefix run by <see cref="IPrefixCachingModel.Prefill"/> (e.g. its keys and values).</summary>
public interface IPrefixState : IDisposable
{
    /// <summary>Number of prefix tokens the state holds.</summary>
    int Length { get; }
}
