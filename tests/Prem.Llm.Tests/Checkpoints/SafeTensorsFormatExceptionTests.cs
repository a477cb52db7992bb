using Prem.Llm.Checkpoints;

namespace Prem.Llm.Tests.Checkpoints;

public class SafeTensorsFormatExceptionTests
{
    [Fact]
    public void Message_NamesFileTensorAndProblem()
    {
        var e = new SafeTensorsFormatException("/x/model.safetensors", "lm_head.weight", "dtype 'Q4' is not supported.");
        Assert.Equal("Invalid safetensors data in '/x/model.safetensors', tensor 'lm_head.weight': dtype 'Q4' is not supported.", e.Message);
        Assert.Equal("lm_head.weight", e.TensorName);
        Assert.Equal("dtype 'Q4' is not supported.", e.Problem);
    }

    [Fact]
    public void Message_WithoutTensor_AndWithAHugeName_StaysShort()
    {
        Assert.Equal("Invalid safetensors data in 'f': truncated.", new SafeTensorsFormatException("f", null, "truncated.").Message);
        var huge = new SafeTensorsFormatException("f", new string('n', 1_000_000), "bad.");
        Assert.True(huge.Message.Length < 300);
        Assert.Equal(1_000_000, huge.TensorName!.Length);
    }
}
