namespace Prem.Llm.Tests.Generation.Cpu;

/// <summary>The Q8_0 × Q8_0 dot in exact arithmetic, for the int8 kernels' tests.</summary>
internal static class Q8Reference
{
    /// <summary>
    /// Σ over blocks of 32 of (the exact integer sum of w[k] · x[k]) · scale(block), in double, and the same with
    /// |w[k] · x[k]| (the magnitude a float32 rounding bound scales with).
    /// </summary>
    public static (double Sum, double Magnitude) Dot(int cols, Func<int, int> w, Func<int, int> x, Func<int, double> scale)
    {
        double sum = 0, magnitude = 0;
        for (int b = 0; b * 32 < cols; b++)
        {
            long block = 0, absolute = 0;
            for (int k = b * 32; k < Math.Min(cols, b * 32 + 32); k++)
            {
                block += w(k) * x(k);
                absolute += Math.Abs(w(k) * x(k));
            }
            sum += block * scale(b);
            magnitude += absolute * scale(b);
        }
        return (sum, magnitude);
    }
}
