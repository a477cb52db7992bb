using System.Text.Json.Nodes;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

public class CheckpointStoreTests
{
    static TrainerState State(long step) => new() { Step = step, OptimizerSteps = step, DataPosition = new JsonObject { ["index"] = step } };

    static AdamW OptimizerWithState(Prem.Llm.Modeling.LlamaForCausalLM model)
    {
        var adam = ParameterGroups.CreateOptimizer(model, new OptimizerOptions());
        foreach (var (_, p, _) in adam.Parameters) p.grad = ones_like(p);
        adam.Step(1e-3);
        adam.ZeroGrad();
        return adam;
    }

    [Fact]
    public void Saves_loads_and_keeps_the_last_n()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel(seed: 5);
        using var adam = OptimizerWithState(model);
        var store = new CheckpointStore(TrainingFixtures.TempDir(), keepLast: 2);
        foreach (long step in new long[] { 10, 20, 30 }) store.Save(model, adam, State(step));
        Assert.Equal(["step-00000020", "step-00000030"], store.List().Select(Path.GetFileName));
        Assert.EndsWith("step-00000030", store.Resolve("latest"));

        using var other = TrainingFixtures.TinyModel(seed: 6);
        using var otherAdam = ParameterGroups.CreateOptimizer(other, new OptimizerOptions());
        var state = CheckpointStore.Load(store.Resolve("latest"), other, otherAdam);
        Assert.Equal(30, state.Step);
        Assert.Equal(30, otherAdam.StepCount);
        Assert.Equal(30, state.DataPosition!["index"]!.GetValue<long>());
        var expected = TrainingFixtures.Weights(model);
        foreach (var (name, w) in TrainingFixtures.Weights(other)) Assert.Equal(expected[name], w);
        var moments = adam.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, t) in otherAdam.StateTensors()) Assert.True(t.eq(moments[key]).all().item<bool>(), key);
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("optimizer.safetensors")]
    [InlineData("trainer_state.json")]
    public void A_failure_during_save_leaves_the_previous_checkpoint_intact(string failAfter)
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel(seed: 5);
        using var adam = OptimizerWithState(model);
        var dir = TrainingFixtures.TempDir();
        var store = new CheckpointStore(dir, keepLast: 1);
        store.Save(model, adam, State(1));
        var before = Directory.GetFiles(store.Resolve("latest")).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

        using (no_grad()) foreach (var p in model.parameters()) p.add_(1.0);
        store.AfterFileWritten = name => { if (name == failAfter) throw new IOException("disk full (injected)"); };
        Assert.Throws<IOException>(() => store.Save(model, adam, State(2)));

        Assert.Equal(["step-00000001"], store.List().Select(Path.GetFileName));
        Assert.Empty(Directory.GetDirectories(dir, ".*"));
        var latest = store.Resolve("latest");
        Assert.EndsWith("step-00000001", latest);
        foreach (var (name, bytes) in before) Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(latest, name)));
    }

    [Fact]
    public void Stale_latest_pointer_falls_back_to_the_newest_complete_folder_and_bad_paths_are_errors()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel(seed: 5);
        using var adam = OptimizerWithState(model);
        var dir = TrainingFixtures.TempDir();
        var store = new CheckpointStore(dir, keepLast: 3);
        Assert.Throws<TrainingException>(() => store.Resolve("latest"));
        store.Save(model, adam, State(4));
        File.WriteAllText(Path.Combine(dir, "latest"), "step-00000099");
        Assert.EndsWith("step-00000004", store.Resolve("latest"));
        var ex = Assert.Throws<TrainingException>(() => store.Resolve(Path.Combine(dir, "nowhere")));
        Assert.Contains("nowhere", ex.Message);
    }
}
