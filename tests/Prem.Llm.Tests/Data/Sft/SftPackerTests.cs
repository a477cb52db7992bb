using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data.Sft;

public class SftPackerTests
{
    private static List<SftExample> Examples(params int[] lengths) =>
        lengths.Select((n, k) => new SftExample(
            Enumerable.Range(0, n).Select(i => 1000 * (k + 1) + i).ToArray(),
            Enumerable.Range(0, n).Select(i => i == 0 ? -100 : 1000 * (k + 1) + i).ToArray(),
            $"f:{k + 1}", Truncated: k == 2)).ToList();

    [Fact]
    public void Packing_conserves_tokens_labels_and_order_with_document_ids()
    {
        var examples = Examples(5, 3, 7, 2, 8, 1, 4);
        var rows = SftPacker.Pack(examples, 10);
        // Greedy in order: [5,3] [7,2] [8,1] [4].
        Assert.Equal([8, 9, 9, 4], rows.Select(r => r.Length));
        Assert.Equal(examples.SelectMany(e => e.InputIds), rows.SelectMany(r => r.InputIds));
        Assert.Equal(examples.SelectMany(e => e.Labels), rows.SelectMany(r => r.Labels));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1], rows[0].DocumentIds!);
        foreach (var r in rows)
        {
            Assert.True(r.Length <= 10);
            // Document ids count up from 0 by one at each example start (where the label is -100, the BOS stand-in).
            for (int i = 1; i < r.Length; i++)
                Assert.Equal(r.DocumentIds![i - 1] + (r.InputIds[i] % 1000 == 0 ? 1 : 0), r.DocumentIds![i]);
        }
        Assert.Equal(["f:1", "f:3", "f:5", "f:7"], rows.Select(r => r.Source));
        Assert.Equal([false, true, false, false], rows.Select(r => r.Truncated));
    }

    [Fact]
    public void Random_lengths_conserve_every_token()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 20; trial++)
        {
            var examples = Examples(Enumerable.Range(0, 30).Select(_ => rng.Next(1, 17)).ToArray());
            var rows = SftPacker.Pack(examples, 16);
            Assert.Equal(examples.Sum(e => e.Length), rows.Sum(r => r.Length));
            Assert.Equal(examples.Count, rows.Sum(r => r.DocumentIds!.Distinct().Count()));
            Assert.All(rows, r => Assert.True(r.Length <= 16));
        }
    }

    [Fact]
    public void An_example_longer_than_a_row_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SftPacker.Pack(Examples(3, 11), 10));
        Assert.Contains("f:2", e.Message);
    }
}
