using System.CommandLine;
using Prem.Llm.Generation;

namespace Prem.Llm.Cli;

/// <summary>The <c>--weights</c> option of the commands that decode on the CPU engine.</summary>
public static class CliWeights
{
    /// <summary>A new <c>--weights</c> option: as-loaded (default), int8 or bf16; <paramref name="note"/> ends its description.</summary>
    public static Option<string> Option(string note)
    {
        var option = new Option<string>("--weights")
        {
            Description = "CPU weights: as-loaded (the model's float32/bf16, read in place), int8 (quantised at load, blocks of 32 " +
                          $"like llama.cpp's Q8_0) or bf16 (a bf16 copy in the batched kernel's layout: faster batched decoding, twice the memory for bf16 models){note}",
            DefaultValueFactory = _ => "as-loaded",
        };
        option.AcceptOnlyFromAmong("as-loaded", "int8", "bf16");
        return option;
    }

    /// <summary>The <see cref="CpuWeights"/> that <paramref name="text"/> (an accepted value of the option) names.</summary>
    public static CpuWeights Parse(string? text) => text switch
    {
        "int8" => CpuWeights.Int8,
        "bf16" => CpuWeights.Bf16,
        _ => CpuWeights.AsLoaded,
    };
}
