namespace Prem.Llm.Recipes;

/// <summary>Which stage a Lightning-style recipe trains: the data format and the loss follow from it.</summary>
public enum RecipeKind
{
    /// <summary>Causal LM loss over packed token windows (<c>data.*_path</c> are <c>prem prepare</c> folders).</summary>
    Pretrain,
    /// <summary>Assistant-only causal LM loss over chat conversations (<c>data.*_path</c> are JSONL files).</summary>
    Sft,
}
