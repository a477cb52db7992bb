using System.CommandLine;
using Prem.Llm.Cli;
using Prem.Llm.Generation;

namespace Prem.Llm.Tests.Cli;

public class CliWeightsTests
{
    [Theory]
    [InlineData(new string[0], CpuWeights.AsLoaded)]
    [InlineData(new[] { "--weights", "as-loaded" }, CpuWeights.AsLoaded)]
    [InlineData(new[] { "--weights", "int8" }, CpuWeights.Int8)]
    [InlineData(new[] { "--weights", "bf16" }, CpuWeights.Bf16)]
    public void Each_accepted_value_names_its_format(string[] args, CpuWeights expected)
    {
        var option = CliWeights.Option("");
        var parse = new RootCommand { option }.Parse(args);
        Assert.Empty(parse.Errors);
        Assert.Equal(expected, CliWeights.Parse(parse.GetValue(option)));
    }

    [Fact]
    public void Other_values_are_refused_with_the_choices()
    {
        var option = CliWeights.Option("; a note");
        var parse = new RootCommand { option }.Parse(["--weights", "int4"]);
        var error = Assert.Single(parse.Errors).Message;
        Assert.Contains("int4", error);
        Assert.Contains("bf16", error);
        Assert.EndsWith("; a note", option.Description);
    }
}
