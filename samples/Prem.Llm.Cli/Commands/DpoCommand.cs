using System.CommandLine;
using Prem.Llm.Recipes;

namespace Prem.Llm.Cli.Commands;

/// <summary><c>prem dpo --config F.yaml [--set key=value ...]</c>: Direct Preference Optimization from the Prem-1B recipe's flat TRL keys.</summary>
public static class DpoCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create() => RecipeCommand.Create("dpo", "Align with DPO from a YAML recipe (the Prem-1B recipe's TRL / alignment-handbook keys)",
        (path, sets, host) => DpoRecipeBuilder.Load(path, sets, host));
}
