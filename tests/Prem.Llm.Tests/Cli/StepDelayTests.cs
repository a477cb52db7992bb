using Prem.Llm.Cli;

namespace Prem.Llm.Tests.Cli;

/// <summary>The test-only step delay of the recipe commands (used by the second-signal test in <see cref="RecipeInterruptTests"/>).</summary>
public class StepDelayTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    public void Unset_or_zero_means_no_delay(string? value) => Assert.Null(StepDelay.Parse(value));

    [Fact]
    public void A_number_is_milliseconds() => Assert.Equal(TimeSpan.FromMilliseconds(250), StepDelay.Parse("250")!.Delay);

    [Theory]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("soon")]
    public void Anything_else_is_an_error_naming_the_variable(string value)
    {
        var e = Assert.Throws<CliError>(() => StepDelay.Parse(value));
        Assert.Contains(StepDelay.Variable, e.Message);
        Assert.Contains(value, e.Message);
    }
}
