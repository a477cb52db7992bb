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

    [Fact]
    public void Sliding_window_keeps_the_last_window_keys_of_each_query()
    {
        var mask = new AttentionMask { SlidingWindow = 2, QueryOffset = 1 }.ToBoolMask(3, 4, CPU);
        // Query i sits at key position 1 + i and sees keys p with p <= 1 + i and (1 + i) - p < 2.
        bool[] expected =
        [
            true, true, false, false,
            false, true, true, false,
            false, false, true, true,
        ];
        Assert.Equal(expected, mask.reshape(-1).data<bool>().ToArray());
        Assert.Throws<ArgumentException>(() => new AttentionMask { SlidingWindow = 0 }.ToBoolMask(2, 2, CPU));
    }
}
