using Prem.Llm.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Checkpoints;

public class SafeTensorDTypesTests
{
    [Fact]
    public void EveryDtype_RoundTripsThroughItsHeaderNameAndScalarType()
    {
        foreach (var dtype in Enum.GetValues<SafeTensorDType>())
        {
            Assert.True(SafeTensorDTypes.TryParseHeaderName(System.Text.Encoding.UTF8.GetBytes(dtype.HeaderName()), out var parsed));
            Assert.Equal(dtype, parsed);
            Assert.Equal(dtype, SafeTensorDTypes.FromScalarType(dtype.ToScalarType()));
            // The element size must agree with what libtorch allocates for the type.
            using var t = torch.empty(3, dtype.ToScalarType());
            Assert.Equal(dtype.ElementSize(), (int)t.element_size());
        }
    }

    [Theory]
    [InlineData("F32", true)]
    [InlineData("BOOL", true)]
    [InlineData("Bool", false)]
    [InlineData("bf16", false)]
    [InlineData("F8_E4M3", false)]
    [InlineData("U16", false)]
    [InlineData("", false)]
    public void TryParseHeaderName_IsExactAndCaseSensitive(string name, bool known) =>
        Assert.Equal(known, SafeTensorDTypes.TryParseHeaderName(System.Text.Encoding.UTF8.GetBytes(name), out _));

    [Fact]
    public void FromScalarType_Complex_IsRejected() =>
        Assert.Throws<ArgumentException>(() => SafeTensorDTypes.FromScalarType(ScalarType.ComplexFloat32));
}
