using TorchSharp;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Modeling;

public class WeightInitTests
{
    [Fact]
    public void Outside_a_skip_layers_get_torchsharps_init()
    {
        using var table = WeightInit.Embedding(1000, 8, null, ScalarType.Float32);
        Assert.InRange(table.weight!.std().item<float>(), 0.9f, 1.1f);
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
            using var embedding = WeightInit.Embedding(50, 6, CPU, ScalarType.BFloat16);
            Assert.Equal(new long[] { 50, 6 }, embedding.weight!.shape);
            Assert.Equal(ScalarType.BFloat16, embedding.weight!.dtype);
            Assert.Equal(new long[] { 50, 6 }, embedding.state_dict()["weight"].shape);
            Assert.Equal(new long[] { 50, 6 }, embedding.parameters().Single().shape);
            // The resized table is the one the forward reads: row 49 exists and comes back as stored.
            using (no_grad()) embedding.weight!.copy_(arange(300).remainder(100).reshape(50, 6));
            var row = embedding.forward(tensor(new long[] { 49 }));
            Assert.Equal(new float[] { 94, 95, 96, 97, 98, 99 }, row.to_type(ScalarType.Float32).data<float>().ToArray());
            // Moving the module converts the resized table (LibTorch moves the registered parameter).
            embedding.to(ScalarType.Float32);
            Assert.Equal(ScalarType.Float32, embedding.weight!.dtype);
            Assert.Equal(new long[] { 50, 6 }, embedding.weight!.shape);
            Assert.Equal(99f, embedding.forward(tensor(new long[] { 49 }))[0, 5].item<float>());
        }
        Assert.False(WeightInit.Skipping);
    }
}
