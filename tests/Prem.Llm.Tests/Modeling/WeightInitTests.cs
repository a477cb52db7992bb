using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Modeling;

public class WeightInitTests
{
    [Fact]
    public void Outside_a_skip_layers_get_torchsharps_init()
    {
        Assert.False(WeightInit.Skipping);
        using var layer = WeightInit.Linear(64, 16, hasBias: true, null, ScalarType.Float32);
        // Kaiming uniform with a = √5: U(−1/√fan_in, 1/√fan_in); the bias the same bound.
        double bound = 1 / Math.Sqrt(64);
        Assert.True(layer.weight.abs().max().item<float>() <= bound);
        Assert.True(layer.weight.std().item<float>() > bound / 3);
        Assert.True(layer.bias!.abs().max().item<float>() <= bound);
    }

    [Fact]
    public void Inside_a_skip_layers_have_their_shape_dtype_and_bias_and_the_scope_is_this_threads()
    {
        using (WeightInit.Skip())
        {
            using (WeightInit.Skip()) Assert.True(WeightInit.Skipping);
            Assert.True(WeightInit.Skipping);
            bool other = true;
            var thread = new Thread(() => other = WeightInit.Skipping);
            thread.Start();
            thread.Join();
            Assert.False(other);
            using var layer = WeightInit.Linear(8, 4, hasBias: true, CPU, ScalarType.BFloat16);
            Assert.Equal(new long[] { 4, 8 }, layer.weight.shape);
            Assert.Equal(ScalarType.BFloat16, layer.weight.dtype);
            Assert.Equal(new long[] { 4 }, layer.bias!.shape);
            Assert.True(layer.weight.requires_grad);
            using var plain = WeightInit.Linear(8, 4, hasBias: false, CPU, null);
            Assert.Null(plain.bias);
        }
        Assert.False(WeightInit.Skipping);
    }
}
