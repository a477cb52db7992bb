using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Modeling;

public class RmsNormTests
{
    [Fact]
    public void Matches_x_over_root_mean_square_times_weight()
    {
        var norm = new RmsNorm(4, 1e-5);
        using (no_grad()) norm.Weight.copy_(tensor(new float[] { 1f, 2f, 0.5f, -1f }));
        var x = tensor(new float[] { 1, 2, 3, 4, -0.5f, 0, 0.25f, 8 }, [2, 4]);
        var y = norm.forward(x).data<float>().ToArray();
        float[][] rows = [[1, 2, 3, 4], [-0.5f, 0, 0.25f, 8]];
        float[] w = [1, 2, 0.5f, -1];
        for (int r = 0; r < 2; r++)
        {
            double rms = Math.Sqrt(rows[r].Select(v => (double)v * v).Average() + 1e-5);
            for (int i = 0; i < 4; i++) Assert.Equal(rows[r][i] / rms * w[i], y[r * 4 + i], 5);
        }
    }

    [Fact]
    public void Bf16_input_is_normalised_in_float32_and_returned_as_bf16()
    {
        var norm = new RmsNorm(64, 1e-5, ScalarType.BFloat16);
        var x = randn(3, 64).mul(1000);
        var y = norm.forward(x.to_type(ScalarType.BFloat16));
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        var reference = new RmsNorm(64, 1e-5).forward(x.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32));
        Assert.True(y.to_type(ScalarType.Float32).allclose(reference, rtol: 1e-2, atol: 1e-2));
    }
}
