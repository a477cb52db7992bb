using Prem.Llm.Checkpoints;

namespace Prem.Llm.Tests.Checkpoints;

public class SafeTensorInfoTests
{
    [Theory]
    [InlineData(SafeTensorDType.BF16, 24, 12)]
    [InlineData(SafeTensorDType.F64, 24, 3)]
    [InlineData(SafeTensorDType.Bool, 0, 0)]
    public void ElementCount_IsLengthOverElementSize(SafeTensorDType dtype, long length, long count) =>
        Assert.Equal(count, new SafeTensorInfo("t", dtype, [count], 8, length).ElementCount);
}
