using Prem.Llm.Adapters;
using Prem.Llm.Data;
using Prem.Llm.Distributed;
using Prem.Llm.Objectives;
using Prem.Llm.Tests.Adapters;
using Prem.Llm.Tests.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

/// <summary>SFT and DPO with LoRA adapters through the one <see cref="Trainer"/>.</summary>
public class TrainerLoraTests
{
    static TrainerOptions Fast(long steps, TrainingPrecision precision = TrainingPrecision.Float32, bool checkpointing = false) => new()
    {
        Optimizer = new() { LearningRate = 2e-2 },
        Schedule = new() { MaxSteps = steps, WarmupFraction = 0.1, MinLearningRate = 1e-3 },
        Precision = new() { Mode = precision, ActivationCheckpointing = checkpointing },
        Checkpoint = new() { ExportFinalModel = false },
        AccumulationSteps = 2,
    };

    static LoraConfig Config(params string[] save) => new() { R = 8, Alpha = 16, TargetModules = LoraConfig.AllTargets, ModulesToSave = save };

    [Theory]
    [InlineData(TrainingPrecision.Float32, false)]
    [InlineData(TrainingPrecision.Bf16Mixed, true)]
    public void Sft_with_lora_learns_and_updates_only_the_adapters(TrainingPrecision precision, bool checkpointing)
    {
        using var model = TrainingFixtures.TinyModel(seed: 1);
        using var lora = LoraModel.Apply(model, Config(), seed: 2);
        var before = TrainingFixtures.Weights(model);
        using var trainer = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(8), Fast(40, precision, checkpointing));
        Assert.All(trainer.Optimizer.Parameters, p => Assert.True(LoraModel.IsAdapterKey(p.Name), p.Name));
        Assert.Equal(lora.TrainableParameterCount, trainer.Optimizer.Parameters.Sum(p => p.Param.numel()));
        var result = trainer.Run();
        Assert.True(result.Losses.TakeLast(5).Average() < 0.7 * result.Losses.Take(5).Average(),
            $"first {result.Losses.Take(5).Average()}, last {result.Losses.TakeLast(5).Average()}");
        // AdamW state exists for the adapters alone; the frozen base is bit-identical.
        Assert.Equal(2 * trainer.Optimizer.Parameters.Count, trainer.Optimizer.StateTensors().Count());
        var after = TrainingFixtures.Weights(model);
        foreach (var (name, w) in before)
            if (LoraModel.IsAdapterKey(name)) Assert.NotEqual(w, after[name]);
            else Assert.Equal(w, after[name]);
    }

    [Fact]
    public void Activation_checkpointing_gives_the_same_adapter_update_with_dropout()
    {
        var options = Fast(1) with
        {
            Optimizer = new() { LearningRate = 1, Epsilon = 1, WeightDecay = 0, GradientClipNorm = 0 },
            Schedule = new() { MaxSteps = 1, WarmupFraction = 0, Decay = LearningRateDecay.Constant, MinLearningRate = 0 },
        };
        Dictionary<string, float[]> Step(bool checkpointing)
        {
            using var model = TrainingFixtures.TinyModel(seed: 1);
            using var lora = LoraModel.Apply(model, Config() with { Initialization = LoraInitialization.Random, Dropout = 0.3 }, seed: 2);
            using (var t = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(2, shuffle: false), options with { Precision = new() { Mode = TrainingPrecision.Float32, ActivationCheckpointing = checkpointing } }))
                t.Run();
            return TrainingFixtures.Weights(model);
        }
        var plain = Step(false);
        var checkpointed = Step(true);
        foreach (var (name, w) in plain) Assert.True(TrainingFixtures.MaxAbsDiff(w, checkpointed[name]) < 1e-6, name);
    }

    [Fact]
    public void Saved_modules_train_and_the_embedding_original_stays()
    {
        using var model = TrainingFixtures.TinyModel(seed: 1, tied: true);
        using var lora = LoraModel.Apply(model, new LoraConfig { R = 4, TargetModules = ["q_proj", "v_proj"], ModulesToSave = ["embed_tokens"] }, seed: 2);
        var original = model.Model.EmbedTokens.weight!.detach().clone();
        using var trainer = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(4), Fast(6));
        trainer.Run();
        Assert.True(original.eq(model.Model.EmbedTokens.weight!).all().item<bool>());
        var copy = lora.TrainableParameters.Single(p => p.Name == "model.embed_tokens.modules_to_save.weight").Param;
        Assert.False(copy.eq(original).all().item<bool>());
    }

    [Fact]
    public void Merged_or_disabled_adapters_are_refused()
    {
        using var model = TrainingFixtures.TinyModel(seed: 1);
        using var lora = LoraModel.Apply(model, Config(), seed: 2);
        lora.Merge();
        Assert.Contains("merged", Assert.Throws<TrainingException>(() => new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(2), Fast(1))).Message);
        lora.Enabled = false;
        Assert.Contains("disabled", Assert.Throws<TrainingException>(() => new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(2), Fast(1))).Message);
    }

    [Fact]
    public void Data_parallel_reduces_only_the_adapter_gradients()
    {
        using var model = TrainingFixtures.TinyModel(seed: 1);
        using var lora = LoraModel.Apply(model, Config(), seed: 2);
        var communicator = new CountingCommunicator(2);
        using (var trainer = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(4), Fast(3), communicator: communicator))
            trainer.Run();
        Assert.Equal(3 * lora.TrainableParameterCount, communicator.FloatsReduced);
    }

    [Fact]
    public void Dpo_with_lora_starts_at_ln2_against_the_disabled_adapters_and_margins_rise()
    {
        using var model = TrainingFixtures.TinyModel(seed: 3);
        using var lora = LoraModel.Apply(model, new LoraConfig { R = 8, Alpha = 16, TargetModules = LoraConfig.AllLinear }, seed: 4);
        var batches = Enumerable.Range(0, 4).Select(i => (Func<TrainingBatch>)(() => PreferenceFixtures.Batch((ulong)(10 + 3 * i), [2 * i, 2 * i + 1]))).ToList();
        var objective = new DpoObjective(new AdapterReferenceLogProbs(model), beta: 0.1);
        var updates = new List<TrainingUpdate>();
        using var trainer = new Trainer(model, objective, new InMemoryBatchSource(batches, shuffle: false), Fast(24) with { LogEveryNSteps = 1 });
        var result = trainer.Run(new Progress(updates.Add));
        Assert.Equal(Math.Log(2), result.Losses[0], 6);
        var margins = updates.Where(u => u.Kind == TrainingUpdateKind.Step).Select(u => u.Metrics["rewards/margins"]).ToList();
        Assert.Equal(0, margins[0], 6);
        Assert.True(margins.TakeLast(4).Average() > 0.3, string.Join(", ", margins));
        Assert.True(margins.TakeLast(4).Average() > margins.Skip(2).Take(4).Average() + 0.1, string.Join(", ", margins));
        Assert.True(result.Losses.TakeLast(4).Average() < 0.85 * Math.Log(2), string.Join(", ", result.Losses));
        // The reference is still the base: with the adapters off, the policy is the reference again.
        using var batch = PreferenceFixtures.Batch(10, [0, 1]);
        using (lora.Disable())
            Assert.Equal(Math.Log(2), objective.Compute(model, batch, 2).Loss.item<float>(), 5);
    }

    [Fact]
    public void Dpo_with_lora_under_bf16_mixed_uses_the_working_copy_as_its_reference()
    {
        using var model = TrainingFixtures.TinyModel(seed: 3);
        using var lora = LoraModel.Apply(model, new LoraConfig { R = 8, Alpha = 16, TargetModules = LoraConfig.AllLinear }, seed: 4);
        var batches = Enumerable.Range(0, 2).Select(i => (Func<TrainingBatch>)(() => PreferenceFixtures.Batch((ulong)(10 + 3 * i), [2 * i, 2 * i + 1]))).ToList();
        using var trainer = new Trainer(model, new DpoObjective(new AdapterReferenceLogProbs(model), beta: 0.1), new InMemoryBatchSource(batches, shuffle: false),
            Fast(6, TrainingPrecision.Bf16Mixed, checkpointing: true));
        var result = trainer.Run();
        // Policy and reference both run in bf16 on the same working model: exactly ln 2 at the start.
        Assert.Equal(Math.Log(2), result.Losses[0], 6);
        Assert.True(result.Losses[^1] < result.Losses[0]);
    }

    private sealed class Progress(Action<TrainingUpdate> action) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value) => action(value);
    }

    /// <summary>Two replicas of this rank (sums double), counting the float32 gradient values all-reduced.</summary>
    private sealed class CountingCommunicator(int size) : Communicator
    {
        public long FloatsReduced { get; private set; }
        public override int Rank => 0;
        public override int Size => size;
        public override int LocalRank => 0;
        public override string Backend => "counting";

        public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum)
        {
            FloatsReduced += buffer.Length;
            if (op == ReduceOp.Sum) for (int i = 0; i < buffer.Length; i++) buffer[i] *= size;
        }

        public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum)
        {
            if (op == ReduceOp.Sum) for (int i = 0; i < buffer.Length; i++) buffer[i] *= size;
        }

        public override void Broadcast(Span<byte> buffer, int root = 0) { }
        public override void Barrier() { }
    }
}
