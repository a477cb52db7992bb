using Prem.Llm.Attention;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Attention;

public class AttentionMaskTests
{
    [Fact]
    public void Causal_mask_is_lower_triangular()
    {
        var m = AttentionMask.Causal.ToBoolMask(3, 3, CPU).data<bool>().ToArray();
        Assert.Equal(new[] { true, false, false, true, true, false, true, true, true }, m);
        Assert.True(AttentionMask.Causal.IsPlain);
    }

    [Fact]
    public void Padding_only_rows_still_see_their_own_key()
    {
        var mask = new AttentionMask { KeyPadding = tensor(new[] { false, true, true }, [1, 3]) };
        var m = mask.ToBoolMask(3, 3, CPU).data<bool>().ToArray();
        Assert.Equal(new[] { true, false, false, false, true, false, false, true, true }, m);
        Assert.False(mask.IsPlain);
    }

    [Fact]
    public void Wrong_sizes_are_errors()
    {
        var mask = new AttentionMask { KeyPadding = ones(1, 4, ScalarType.Bool) };
        Assert.Throws<ArgumentException>(() => mask.ToBoolMask(3, 3, CPU));
        var packed = new AttentionMask { DocumentIds = zeros(1, 3, ScalarType.Int64), QueryOffset = 2 };
        Assert.Throws<ArgumentException>(() => packed.ToBoolMask(1, 3, CPU));
    }
}
