using System.Text.Json.Nodes;
using Prem.Llm.Data;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

public class InMemoryBatchSourceTests
{
    static InMemoryBatchSource Source(bool shuffle) => new(Enumerable.Range(0, 6).Select(i => (Func<TrainingBatch>)(() =>
        new CausalLmBatch(full(1, 1, (long)i), targets: full(1, 1, -100L)))).ToList(), shuffle);

    static List<long> Drain(IBatchSource s)
    {
        var seen = new List<long>();
        while (s.Next() is { } b) using (b) seen.Add(((CausalLmBatch)b).InputIds.item<long>());
        return seen;
    }

    [Fact]
    public void Shuffles_deterministically_per_seed_and_epoch()
    {
        var a = Source(true); var b = Source(true);
        a.StartEpoch(0, 42); b.StartEpoch(0, 42);
        var first = Drain(a);
        Assert.Equal(first, Drain(b));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), first.Order());
        a.StartEpoch(1, 42);
        Assert.NotEqual(first, Drain(a));
        var plain = Source(false);
        plain.StartEpoch(3, 1);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), Drain(plain));
    }

    [Fact]
    public void Restores_a_saved_position()
    {
        var a = Source(true);
        a.StartEpoch(2, 7);
        using (a.Next()) { }
        using (a.Next()) { }
        var position = JsonNode.Parse(a.SavePosition().ToJsonString())!;
        var rest = Drain(a);
        var b = Source(true);
        b.RestorePosition(2, 7, position);
        Assert.Equal(rest, Drain(b));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.RestorePosition(0, 7, new JsonObject { ["index"] = 9 }));
        Assert.Throws<ArgumentException>(() => new InMemoryBatchSource([]));
    }
}
