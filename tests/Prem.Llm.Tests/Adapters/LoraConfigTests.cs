using Prem.Llm.Adapters;

namespace Prem.Llm.Tests.Adapters;

public class LoraConfigTests
{
    [Fact]
    public void Defaults_are_peft_s()
    {
        var c = new LoraConfig().Validate();
        Assert.Equal(8, c.R);
        Assert.Equal(8, c.Alpha);
        Assert.Equal(0, c.Dropout);
        Assert.Equal(["q_proj", "v_proj"], c.TargetModules);
        Assert.Equal(1.0, c.Scaling);
    }

    [Theory]
    [InlineData(16, 32, false, 2.0)]
    [InlineData(16, 32, true, 8.0)]
    [InlineData(64, 16, true, 2.0)]
    public void Scaling_is_alpha_over_r_or_over_sqrt_r(int r, double alpha, bool rslora, double scaling) =>
        Assert.Equal(scaling, new LoraConfig { R = r, Alpha = alpha, UseRslora = rslora }.Scaling, 12);

    [Fact]
    public void Invalid_values_name_the_field()
    {
        Assert.Contains("r must", Assert.Throws<LoraException>(() => new LoraConfig { R = 0 }.Validate()).Message);
        Assert.Contains("lora_alpha", Assert.Throws<LoraException>(() => new LoraConfig { Alpha = -1 }.Validate()).Message);
        Assert.Contains("lora_dropout", Assert.Throws<LoraException>(() => new LoraConfig { Dropout = 1 }.Validate()).Message);
        Assert.Contains("'qproj'", Assert.Throws<LoraException>(() => new LoraConfig { TargetModules = ["qproj"] }.Validate()).Message);
        Assert.Contains("target_modules is empty", Assert.Throws<LoraException>(() => new LoraConfig { TargetModules = [] }.Validate()).Message);
        Assert.Contains("both", Assert.Throws<LoraException>(() => new LoraConfig { TargetModules = ["lm_head"], ModulesToSave = ["lm_head"] }.Validate()).Message);
    }
}
