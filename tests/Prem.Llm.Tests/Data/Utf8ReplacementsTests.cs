using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class Utf8ReplacementsTests
{
    [Fact]
    public void Counts_add_up_per_file_and_zero_records_nothing()
    {
        var r = new Utf8Replacements();
        r.Add("b.jsonl", 2);
        r.Add("a.jsonl", 0);
        r.Add("c.jsonl", 1);
        r.Add("b.jsonl", 3);
        Assert.Equal([new("b.jsonl", 5L), new KeyValuePair<string, long>("c.jsonl", 1)], r.ToSorted());
    }

    [Fact]
    public void Adds_from_many_threads_are_not_lost()
    {
        var r = new Utf8Replacements();
        Parallel.For(0, 1000, i => r.Add($"f{i % 4}", 1));
        Assert.All(r.ToSorted().Values, v => Assert.Equal(250, v));
    }
}
