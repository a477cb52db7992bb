using System.Text.Json.Nodes;

namespace Prem.Llm.Modeling;

/// <summary>
/// RoPE inverse frequencies and attention factor for each HF scaling type, following
/// transformers' <c>modeling_rope_utils</c> definitions (computed here in double precision).
/// </summary>
internal static class RopeParameters
{
    /// <summary>
    /// Inverse frequencies (head_dim / 2 values) and the cos/sin multiplier for <paramref name="config"/>.
    /// <paramref name="sequenceLength"/> (the largest position + 1 in the current call) matters only
    /// for "dynamic" and "longrope", which change with the length.
    /// </summary>
    public static (double[] InvFreq, double AttentionFactor) Compute(LlamaConfig config, long sequenceLength = 0)
    {
        var s = config.RopeScaling ?? new RopeScaling();
        int dim = config.HeadDim;
        double theta = config.RopeTheta;
        return s.RopeType switch
        {
            "default" => (Default(theta, dim), 1.0),
            "linear" => (Default(theta, dim).Select(f => f / s.Factor!.Value).ToArray(), 1.0),
            "dynamic" => (Dynamic(config, s, sequenceLength), 1.0),
            "yarn" => Yarn(config, s),
            "llama3" => (Llama3(Default(theta, dim), s), 1.0),
            "longrope" => LongRope(config, s, sequenceLength),
            _ => throw new LlamaConfigException("rope_scaling.rope_type", $"\"{s.RopeType}\" is not supported."),
        };
    }

    /// <summary>Plain RoPE: 1 / theta^(2i / dim).</summary>
    public static double[] Default(double theta, int dim) =>
        Enumerable.Range(0, dim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / dim)).ToArray();

    // NTK-aware: the base grows with the length once it passes the original length; at or below it
    // the formula gives the original base back.
    static double[] Dynamic(LlamaConfig c, RopeScaling s, long sequenceLength)
    {
        int original = s.OriginalMaxPositionEmbeddings ?? c.MaxPositionEmbeddings;
        double seq = Math.Max(sequenceLength, original);
        double factor = s.Factor!.Value;
        int dim = c.HeadDim;
        double theta = c.RopeTheta * Math.Pow(factor * seq / original - (factor - 1), dim / (double)(dim - 2));
        return Default(theta, dim);
    }

    static (double[], double) Yarn(LlamaConfig c, RopeScaling s)
    {
        int dim = c.HeadDim;
        double theta = c.RopeTheta;
        int original = s.OriginalMaxPositionEmbeddings ?? c.MaxPositionEmbeddings;
        // An explicit factor wins; without one, the ratio of the extended to the original length.
        double factor = s.Factor ?? (double)c.MaxPositionEmbeddings / original;

        double attention = s.AttentionFactor ?? (s.Mscale is double m && s.MscaleAllDim is double mAll && m != 0 && mAll != 0
            ? YarnMscale(factor, m) / YarnMscale(factor, mAll)
            : YarnMscale(factor, 1));

        double betaFast = s.BetaFast ?? 32, betaSlow = s.BetaSlow ?? 1;
        double low = CorrectionDim(betaFast, dim, theta, original);
        double high = CorrectionDim(betaSlow, dim, theta, original);
        if (s.Truncate ?? true) { low = Math.Floor(low); high = Math.Ceiling(high); }
        low = Math.Max(low, 0);
        high = Math.Min(high, dim - 1);
        if (low == high) high += 0.001;

        var inv = new double[dim / 2];
        for (int i = 0; i < inv.Length; i++)
        {
            double posFreq = Math.Pow(theta, 2.0 * i / dim);
            double ramp = Math.Clamp((i - low) / (high - low), 0, 1);
            double extrapolation = 1 - ramp;
            inv[i] = (1 / (factor * posFreq)) * (1 - extrapolation) + (1 / posFreq) * extrapolation;
        }
        return (inv, attention);
    }

    static double YarnMscale(double scale, double mscale) => scale <= 1 ? 1.0 : 0.1 * mscale * Math.Log(scale) + 1.0;

    static double CorrectionDim(double rotations, int dim, double theta, int maxPositions) =>
        dim * Math.Log(maxPositions / (rotations * 2 * Math.PI)) / (2 * Math.Log(theta));

    static double[] Llama3(double[] inv, RopeScaling s)
    {
        double factor = s.Factor!.Value;
        double lowFreqFactor = s.LowFreqFactor ?? 1, highFreqFactor = s.HighFreqFactor ?? 4;
        double original = s.OriginalMaxPositionEmbeddings ?? 8192;
        double lowWavelen = original / lowFreqFactor, highWavelen = original / highFreqFactor;
        return inv.Select(f =>
        {
            double wavelen = 2 * Math.PI / f;
            if (wavelen < highWavelen) return f;
            if (wavelen > lowWavelen) return f / factor;
            double smooth = (original / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
            return (1 - smooth) * f / factor + smooth * f;
        }).ToArray();
    }

    static (double[], double) LongRope(LlamaConfig c, RopeScaling s, long sequenceLength)
    {
        int dim = c.HeadDim;
        int original = s.OriginalMaxPositionEmbeddings ?? c.MaxPositionEmbeddings;
        double factor = s.Factor ?? (double)c.MaxPositionEmbeddings / original;
        double attention = s.AttentionFactor
            ?? (factor <= 1 ? 1.0 : Math.Sqrt(1 + Math.Log(factor) / Math.Log(original)));
        double[] ext = sequenceLength > original ? s.LongFactor! : s.ShortFactor!;
        var inv = new double[dim / 2];
        for (int i = 0; i < inv.Length; i++)
            inv[i] = 1.0 / (ext[i] * Math.Pow(c.RopeTheta, 2.0 * i / dim));
        return (inv, attention);
    }

    /// <summary>Reads <c>rope_scaling</c>/<c>rope_parameters</c>, accepting the old <c>"type"</c> key.</summary>
    internal static RopeScaling? Parse(JsonObject? o, string field, string? file)
    {
        if (o is null) return null;
        var r = new FieldReader(o, file, field);
        string type = r.String("rope_type") ?? r.String("type") ?? "default";
        if (type == "default" && o.Count(kv => kv.Key is not ("rope_type" or "type" or "rope_theta")) == 0)
            return null;
        return new RopeScaling
        {
            RopeType = type,
            Factor = r.Double("factor"),
            OriginalMaxPositionEmbeddings = r.Int("original_max_position_embeddings"),
            AttentionFactor = r.Double("attention_factor"),
            BetaFast = r.Double("beta_fast"),
            BetaSlow = r.Double("beta_slow"),
            Mscale = r.Double("mscale"),
            MscaleAllDim = r.Double("mscale_all_dim"),
            Truncate = r.Bool("truncate"),
            LowFreqFactor = r.Double("low_freq_factor"),
            HighFreqFactor = r.Double("high_freq_factor"),
            ShortFactor = r.Doubles("short_factor"),
            LongFactor = r.Doubles("long_factor"),
        };
    }

    internal static void Validate(RopeScaling s, LlamaConfig c, string? file)
    {
        const string f = "rope_scaling";
        if (!RopeScaling.KnownTypes.Contains(s.RopeType))
            throw new LlamaConfigException($"{f}.rope_type", $"\"{s.RopeType}\" is not one of {string.Join(", ", RopeScaling.KnownTypes)}.", file);
        bool needsFactor = s.RopeType is "linear" or "dynamic" or "llama3";
        if (needsFactor && s.Factor is null)
            throw new LlamaConfigException($"{f}.factor", $"is required for rope_type \"{s.RopeType}\".", file);
        if (s.Factor is double factor && !(factor >= 1) && s.RopeType != "longrope")
            throw new LlamaConfigException($"{f}.factor", $"{factor} must be ≥ 1.", file);
        if (s.OriginalMaxPositionEmbeddings is int o && o <= 0)
            throw new LlamaConfigException($"{f}.original_max_position_embeddings", $"{o} must be positive.", file);
        if (s.RopeType == "llama3")
        {
            if (s.OriginalMaxPositionEmbeddings is null)
                throw new LlamaConfigException($"{f}.original_max_position_embeddings", "is required for rope_type \"llama3\".", file);
            if ((s.HighFreqFactor ?? 4) <= (s.LowFreqFactor ?? 1))
                throw new LlamaConfigException($"{f}.high_freq_factor", $"{s.HighFreqFactor} must exceed low_freq_factor ({s.LowFreqFactor}).", file);
        }
        if (s.RopeType == "longrope")
        {
            foreach (var (name, arr) in new[] { ("short_factor", s.ShortFactor), ("long_factor", s.LongFactor) })
                if (arr is null || arr.Length != c.HeadDim / 2)
                    throw new LlamaConfigException($"{f}.{name}", $"needs head_dim / 2 = {c.HeadDim / 2} numbers, got {arr?.Length.ToString() ?? "none"}.", file);
        }
    }

    internal static JsonObject ToJson(RopeScaling s)
    {
        var o = new JsonObject { ["rope_type"] = s.RopeType };
        void Put(string key, JsonNode? value) { if (value is not null) o[key] = value; }
        Put("factor", s.Factor);
        Put("original_max_position_embeddings", s.OriginalMaxPositionEmbeddings);
        Put("attention_factor", s.AttentionFactor);
        Put("beta_fast", s.BetaFast);
        Put("beta_slow", s.BetaSlow);
        Put("mscale", s.Mscale);
        Put("mscale_all_dim", s.MscaleAllDim);
        Put("truncate", s.Truncate);
        Put("low_freq_factor", s.LowFreqFactor);
        Put("high_freq_factor", s.HighFreqFactor);
        if (s.ShortFactor is not null) o["short_factor"] = new JsonArray(s.ShortFactor.Select(x => (JsonNode?)x).ToArray());
        if (s.LongFactor is not null) o["long_factor"] = new JsonArray(s.LongFactor.Select(x => (JsonNode?)x).ToArray());
        return o;
    }
}
