namespace Prem.Llm.Adapters;

/// <summary>How the adapter matrices start (PEFT's <c>init_lora_weights</c>).</summary>
public enum LoraInitialization
{
    /// <summary>PEFT's default (<c>true</c>): A Kaiming-uniform (a = √5, i.e. U(±1/√in)), B zero, so the adapter starts as a no-op.</summary>
    Default,

    /// <summary>PEFT's <c>"gaussian"</c>: A normal(0, 1/r), B zero.</summary>
    Gaussian,

    /// <summary>PEFT's <c>false</c>: A and B both Kaiming-uniform, so the adapter changes the model from the start (for tests and debugging).</summary>
    Random,
}
