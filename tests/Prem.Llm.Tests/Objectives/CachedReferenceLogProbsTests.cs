using Prem.Llm.Objectives;
using Prem.Llm.Tests.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Objectives;

public class CachedReferenceLogProbsTests
{
    [Fact]
    public void Round_trips_through_the_file_and_matches_the_model()
    {
        using var scope = NewDisposeScope();
        using var reference = TrainingFixtures.TinyModel(seed: 4);
        using var batch = PreferenceFixtures.Batch(5, [7, 3]);
        var path = Path.Combine(TrainingFixtures.TempDir(), "ref.bin");
        CachedReferenceLogProbs.Precompute(reference, [batch], path);
        var loaded = CachedReferenceLogProbs.Load(path);
        var (cs, cc, rs, rc) = loaded.Get(batch);
        var (ecs, ecc, ers, erc) = new ModelReferenceLogProbs(reference).Get(batch);
        Assert.Equal(ecs.data<float>().ToArray(), cs.data<float>().ToArray());
        Assert.Equal(ecc.data<float>().ToArray(), cc.data<float>().ToArray());
        Assert.Equal(ers.data<float>().ToArray(), rs.data<float>().ToArray());
        Assert.Equal(erc.data<float>().ToArray(), rc.data<float>().ToArray());
        Assert.Equal(8 + 8 + 2 * 24, new FileInfo(path).Length);
    }

    [Fact]
    public void Unknown_example_and_bad_files_are_errors()
    {
        using var scope = NewDisposeScope();
        using var reference = TrainingFixtures.TinyModel(seed: 4);
        using var batch = PreferenceFixtures.Batch(5, [7, 3]);
        using var other = PreferenceFixtures.Batch(5, [8, 3]);
        var dir = TrainingFixtures.TempDir();
        var cache = CachedReferenceLogProbs.Precompute(reference, [batch], Path.Combine(dir, "ref.bin"));
        Assert.Contains("Example 8", Assert.Throws<KeyNotFoundException>(() => cache.Get(other)).Message);

        File.WriteAllBytes(Path.Combine(dir, "bad.bin"), "NOTACACHE-------"u8.ToArray());
        Assert.Contains("bad.bin", Assert.Throws<InvalidDataException>(() => CachedReferenceLogProbs.Load(Path.Combine(dir, "bad.bin"))).Message);
        var truncated = File.ReadAllBytes(Path.Combine(dir, "ref.bin"))[..^4];
        File.WriteAllBytes(Path.Combine(dir, "short.bin"), truncated);
        Assert.Throws<InvalidDataException>(() => CachedReferenceLogProbs.Load(Path.Combine(dir, "short.bin")));
        Assert.Throws<FileNotFoundException>(() => CachedReferenceLogProbs.Load(Path.Combine(dir, "missing.bin")));
    }
}
