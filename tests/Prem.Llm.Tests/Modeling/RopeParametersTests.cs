using Prem.Llm.Modeling;

namespace Prem.Llm.Tests.Modeling;

/// <summary>Each scaling type against its formula, written out here independently of the library.</summary>
public class RopeParametersTests
{
    static LlamaConfig Config(int headDim, double theta, int maxPositions, RopeScaling? scaling) => new()
    {
        HiddenSize = headDim * 2, NumAttentionHeads = 2, NumKeyValueHeads = 1, HeadDim = headDim, IntermediateSize = 8,
        NumHiddenLayers = 1, VocabSize = 10, BosTokenId = 1, EosTokenIds = [2], RopeTheta = theta,
        MaxPositionEmbeddings = maxPositions, RopeScaling = scaling,
    };

    static double[] Plain(double theta, int dim)
    {
        var r = new double[dim / 2];
        for (int i = 0; i < r.Length; i++) r[i] = Math.Exp(-Math.Log(theta) * (2 * i) / dim);
        return r;
    }

    static void Close(double[] expected, double[] actual, double rel = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= rel * Math.Abs(expected[i]), $"[{i}] expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Theory]
    [InlineData(64, 10000.0)]
    [InlineData(128, 500000.0)]
    [InlineData(8, 10000.0)]
    public void Default_is_theta_to_the_minus_two_i_over_d(int dim, double theta)
    {
        var (inv, attention) = RopeParameters.Compute(Config(dim, theta, 2048, null));
        Close(Plain(theta, dim), inv);
        Assert.Equal(1.0, attention);
        Assert.Equal(1.0, inv[0]);
    }

    [Theory]
    [InlineData(64, 4.0)]
    [InlineData(128, 2.5)]
    public void Linear_divides_every_frequency_by_the_factor(int dim, double factor)
    {
        var (inv, attention) = RopeParameters.Compute(Config(dim, 10000, 8192, new RopeScaling { RopeType = "linear", Factor = factor }));
        Close(Plain(10000, dim).Select(f => f / factor).ToArray(), inv);
        Assert.Equal(1.0, attention);
    }

    [Theory]
    [InlineData(64, 4.0, 2048)]
    [InlineData(128, 2.0, 4096)]
    public void Dynamic_is_plain_up_to_the_original_length_and_ntk_scaled_beyond(int dim, double factor, int original)
    {
        var config = Config(dim, 10000, original, new RopeScaling { RopeType = "dynamic", Factor = factor });
        Close(Plain(10000, dim), RopeParameters.Compute(config, 1).InvFreq);
        Close(Plain(10000, dim), RopeParameters.Compute(config, original).InvFreq);
        foreach (int length in new[] { original + 1, 2 * original, 3 * original + 17 })
        {
            double newBase = 10000 * Math.Pow(factor * length / original - (factor - 1), dim / (dim - 2.0));
            var inv = RopeParameters.Compute(config, length).InvFreq;
            Close(Plain(newBase, dim), inv);
            Assert.True(inv[^1] < Plain(10000, dim)[^1], "longer sequences lower the slowest frequency");
        }
    }

    [Fact]
    public void Llama3_keeps_high_frequencies_scales_low_and_blends_between()
    {
        // Llama 3.1's published settings.
        var s = new RopeScaling { RopeType = "llama3", Factor = 8, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 8192 };
        var (inv, attention) = RopeParameters.Compute(Config(128, 500000, 131072, s));
        var plain = Plain(500000, 128);
        int kept = 0, scaled = 0, blended = 0;
        for (int i = 0; i < plain.Length; i++)
        {
            double wavelength = 2 * Math.PI / plain[i];
            double expected;
            if (wavelength < 8192 / 4.0) { expected = plain[i]; kept++; }
            else if (wavelength > 8192 / 1.0) { expected = plain[i] / 8; scaled++; }
            else
            {
                double smooth = (8192 / wavelength - 1) / (4 - 1);
                expected = (1 - smooth) * plain[i] / 8 + smooth * plain[i];
                blended++;
            }
            Assert.True(Math.Abs(expected - inv[i]) <= 1e-12 * expected, $"[{i}]");
        }
        Assert.True(kept > 0 && scaled > 0 && blended > 0);
        Assert.Equal(1.0, attention);
    }

    [Theory]
    [InlineData(64, 4.0, 2048, 32.0, 1.0)]
    [InlineData(128, 16.0, 4096, 32.0, 1.0)]
    [InlineData(64, 2.0, 2048, 16.0, 2.0)]
    public void Yarn_ramps_between_interpolation_and_extrapolation(int dim, double factor, int original, double betaFast, double betaSlow)
    {
        var s = new RopeScaling { RopeType = "yarn", Factor = factor, OriginalMaxPositionEmbeddings = original, BetaFast = betaFast, BetaSlow = betaSlow };
        var (inv, attention) = RopeParameters.Compute(Config(dim, 10000, (int)(original * factor), s));
        // Correction range: the dimension where a frequency makes `beta` full turns over the original length.
        double CorrectionDim(double turns) => dim * Math.Log(original / (turns * 2 * Math.PI)) / (2 * Math.Log(10000));
        double low = Math.Max(Math.Floor(CorrectionDim(betaFast)), 0);
        double high = Math.Min(Math.Ceiling(CorrectionDim(betaSlow)), dim - 1);
        var plain = Plain(10000, dim);
        for (int i = 0; i < plain.Length; i++)
        {
            double ramp = Math.Min(1, Math.Max(0, (i - low) / (high - low)));
            double expected = plain[i] * (1 - ramp) + plain[i] / factor * ramp;
            Assert.True(Math.Abs(expected - inv[i]) <= 1e-12 * expected, $"[{i}] {expected} vs {inv[i]}");
        }
        Assert.Equal(0.1 * Math.Log(factor) + 1, attention, 12);
    }

    [Fact]
    public void Yarn_attention_factor_explicit_and_deepseek_mscale()
    {
        var explicitFactor = new RopeScaling { RopeType = "yarn", Factor = 4, AttentionFactor = 0.5 };
        Assert.Equal(0.5, RopeParameters.Compute(Config(64, 10000, 2048, explicitFactor)).AttentionFactor);
        var deepseek = new RopeScaling { RopeType = "yarn", Factor = 40, Mscale = 1.0, MscaleAllDim = 0.707 };
        double m(double scale, double ms) => 0.1 * ms * Math.Log(scale) + 1;
        Assert.Equal(m(40, 1.0) / m(40, 0.707), RopeParameters.Compute(Config(64, 10000, 2048, deepseek)).AttentionFactor, 12);
    }

    [Fact]
    public void Longrope_switches_factor_sets_at_the_original_length()
    {
        double[] shortF = [1.0, 1.1, 1.2, 1.5], longF = [1.0, 2.0, 4.0, 8.0];
        var s = new RopeScaling { RopeType = "longrope", ShortFactor = shortF, LongFactor = longF, OriginalMaxPositionEmbeddings = 4096 };
        var config = Config(8, 10000, 131072, s);
        var plain = Plain(10000, 8);
        var (shortInv, attention) = RopeParameters.Compute(config, 4096);
        var (longInv, _) = RopeParameters.Compute(config, 4097);
        Close(plain.Select((f, i) => f / shortF[i]).ToArray(), shortInv);
        Close(plain.Select((f, i) => f / longF[i]).ToArray(), longInv);
        Assert.Equal(Math.Sqrt(1 + Math.Log(32) / Math.Log(4096)), attention, 12);
    }
}
