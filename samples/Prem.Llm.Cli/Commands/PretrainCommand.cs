using System.CommandLine;
using Prem.Llm.Recipes;

namespace Prem.Llm.Cli.Commands;

/// <summary><c>prem pretrain --config F.yaml [--set key=value ...]</c>: causal-LM pretraining on <c>prem prepare</c> output.</summary>
public static class PretrainCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create() => RecipeCommand.Create("pretrain", "Pretrain (or continue pretraining) from a YAML recipe (the Prem-1B recipe's Lightning keys)",
        (path, sets, host) => RecipeBuilder.Load(path, RecipeKind.Pretrain, sets, host));
}
