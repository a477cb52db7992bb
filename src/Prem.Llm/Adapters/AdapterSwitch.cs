namespace Prem.Llm.Adapters;

/// <summary>
/// Whether a model's adapters take part in its forward. One switch is shared by an adapter and its
/// replicas (the bf16 working copy of mixed precision), so turning it off turns off both.
/// </summary>
internal sealed class AdapterSwitch
{
    /// <summary>True while the adapters are applied.</summary>
    public bool Enabled { get; set; } = true;
}
