using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data.Preference;

public class PreferenceOptionsTests
{
    [Fact]
    public void Defaults_are_the_seeds_dpo_config()
    {
        var o = new PreferenceOptions();
        Assert.Equal(8192, o.MaxLength);
        Assert.Equal(1000, o.MaxPromptLength);
        Assert.Null(o.DefaultSystemPrompt);
        Assert.False(o.SkipInvalid);
    }
}
