using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class DocumentSamplerTests
{
    [Fact]
    public void Without_seed_the_limit_takes_the_first_documents()
    {
        Assert.Equal([0, 1, 2], DocumentSampler.Select(10, 3));
        Assert.Equal(Enumerable.Range(0, 10), DocumentSampler.Select(10, null));
        Assert.Equal(Enumerable.Range(0, 10), DocumentSampler.Select(10, 50));
    }

    [Fact]
    public void Seeded_sample_is_deterministic_sorted_and_distinct()
    {
        var a = DocumentSampler.Select(1000, 25, seed: 42);
        Assert.Equal(a, DocumentSampler.Select(1000, 25, seed: 42));
        Assert.Equal(25, a.Distinct().Count());
        Assert.Equal(a.Order(), a);
        Assert.All(a, i => Assert.InRange(i, 0, 999));
        Assert.NotEqual(a, DocumentSampler.Select(1000, 25, seed: 43));
        Assert.NotEqual(Enumerable.Range(0, 25), a);
    }

    [Fact]
    public void Seeded_sample_covers_the_range_roughly_uniformly()
    {
        var counts = new int[10];
        for (ulong seed = 0; seed < 400; seed++)
            foreach (var i in DocumentSampler.Select(10, 3, seed)) counts[i]++;
        // Each index is chosen with probability 0.3: 120 expected of 400.
        Assert.All(counts, c => Assert.InRange(c, 80, 160));
    }

    [Fact]
    public void Negative_limit_is_an_error() =>
        Assert.Throws<EvaluationException>(() => DocumentSampler.Select(10, -1));
}
