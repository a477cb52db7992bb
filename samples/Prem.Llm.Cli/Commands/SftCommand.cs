using System.CommandLine;
using Prem.Llm.Recipes;

namespace Prem.Llm.Cli.Commands;

/// <summary><c>prem sft --config F.yaml [--set key=value ...]</c>: chat fine-tuning with assistant-only loss on JSONL conversations.</summary>
public static class SftCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create() => RecipeCommand.Create("sft", "Fine-tune on chat conversations from a YAML recipe (the Prem-1B recipe's Lightning keys)",
        (path, sets, host) => RecipeBuilder.Load(path, RecipeKind.Sft, sets, host));
}
