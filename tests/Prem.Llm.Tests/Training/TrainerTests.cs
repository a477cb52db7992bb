using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

public class TrainerTests
{
    static TrainerOptions Fast(long steps) => new()
    {
        Optimizer = new() { LearningRate = 1e-2 },
        Schedule = new() { MaxSteps = steps, WarmupFraction = 0.1, MinLearningRate = 1e-3 },
        Precision = new() { Mode = TrainingPrecision.Float32 },
        Checkpoint = new() { ExportFinalModel = false },
        AccumulationSteps = 2,
    };

    [Fact]
    public void Loss_goes_down_on_a_learnable_task()
    {
        using var model = TrainingFixtures.TinyModel(seed: 1);
        using var trainer = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(8), Fast(40), TrainingFixtures.CountingSource(2, shuffle: false));
        var result = trainer.Run();
        Assert.Equal(40, result.Steps);
        Assert.Equal(40, result.Losses.Count);
        Assert.True(result.Losses.TakeLast(5).Average() < 0.6 * result.Losses.Take(5).Average(),
            $"first {result.Losses.Take(5).Average()}, last {result.Losses.TakeLast(5).Average()}");
        Assert.True(result.FinalValidation!.Loss < result.Losses[0]);
        Assert.Equal(Math.Exp(result.FinalValidation.Loss), result.FinalValidation.Perplexity, 10);
    }

    [Fact]
    public void Bf16_mixed_training_also_learns_and_keeps_a_float32_master()
    {
        using var model = TrainingFixtures.TinyModel(seed: 1);
        using var trainer = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(8), Fast(30) with { Precision = new() { Mode = TrainingPrecision.Bf16Mixed, ActivationCheckpointing = true } });
        var result = trainer.Run();
        Assert.Equal(ScalarType.Float32, model.Dtype);
        Assert.True(result.Losses.TakeLast(5).Average() < 0.7 * result.Losses.Take(5).Average());
    }

    [Fact]
    public void Accumulating_k_micro_batches_equals_one_batch_k_times_larger()
    {
        var ids = TrainingFixtures.RandomIds(4, 10, 48, 77);
        var mask = TrainingFixtures.RandomIds(4, 10, 4, 78).ne(0);
        Func<TrainingBatch> Rows(int start, int count) => () => TrainingFixtures.LmBatch(ids.narrow(0, start, count), mask.narrow(0, start, count));
        // With ε = 1 and lr = 1 the first AdamW update is g(1−β₁)/((1−β₁)(|g| + 1)) ≈ g, so the
        // weights after one step compare the gradients themselves (Adam's usual g/|g| would amplify float noise).
        var options = Fast(1) with
        {
            Optimizer = new() { LearningRate = 1, Epsilon = 1, WeightDecay = 0, GradientClipNorm = 0 },
            Schedule = new() { MaxSteps = 1, WarmupFraction = 0, Decay = LearningRateDecay.Constant, MinLearningRate = 0 },
        };

        using var a = TrainingFixtures.TinyModel(seed: 3);
        using (var t = new Trainer(a, new CausalLmObjective(), new InMemoryBatchSource([Rows(0, 1), Rows(1, 1), Rows(2, 2)]), options with { AccumulationSteps = 3 }))
            t.Run();
        using var b = TrainingFixtures.TinyModel(seed: 3);
        using (var t = new Trainer(b, new CausalLmObjective(), new InMemoryBatchSource([Rows(0, 4)]), options with { AccumulationSteps = 1 }))
            t.Run();
        var wa = TrainingFixtures.Weights(a);
        var initial = TrainingFixtures.Weights(TrainingFixtures.TinyModel(seed: 3));
        foreach (var (name, w) in TrainingFixtures.Weights(b))
        {
            Assert.True(TrainingFixtures.MaxAbsDiff(w, wa[name]) < 1e-6, $"{name}: {TrainingFixtures.MaxAbsDiff(w, wa[name])}");
            Assert.True(TrainingFixtures.MaxAbsDiff(w, initial[name]) > 1e-6, $"{name} did not move: {TrainingFixtures.MaxAbsDiff(w, initial[name])}");
        }
    }

    [Fact]
    public void A_resumed_run_reproduces_the_uninterrupted_losses_exactly()
    {
        var options = Fast(12);
        options = options with { Schedule = options.Schedule with { MaxEpochs = 1 }, Checkpoint = options.Checkpoint with { SaveEveryNSteps = 5, KeepLastCheckpoints = 5 } };
        var dirA = TrainingFixtures.TempDir();
        using var a = TrainingFixtures.TinyModel(seed: 4);
        TrainingResult full;
        using (var t = new Trainer(a, new CausalLmObjective(), TrainingFixtures.CountingSource(7), options with { Checkpoint = options.Checkpoint with { OutputDir = dirA } }))
            full = t.Run();

        // Interrupted: the same run stopped after step 5 (its checkpoint), then resumed in a new trainer.
        var dirB = TrainingFixtures.TempDir();
        using (var first = TrainingFixtures.TinyModel(seed: 4))
        using (var t = new Trainer(first, new CausalLmObjective(), TrainingFixtures.CountingSource(7), options with { Checkpoint = options.Checkpoint with { OutputDir = dirB }, Schedule = options.Schedule with { MaxSteps = 12 } }))
        {
            using var cts = new CancellationTokenSource();
            Assert.Throws<OperationCanceledException>(() => t.Run(new Progress(u => { if (u.Kind == TrainingUpdateKind.Checkpoint) cts.Cancel(); }), cts.Token));
        }
        using var resumedModel = TrainingFixtures.TinyModel(seed: 99);
        TrainingResult resumed;
        using (var t = new Trainer(resumedModel, new CausalLmObjective(), TrainingFixtures.CountingSource(7), options with { Checkpoint = options.Checkpoint with { OutputDir = dirB, ResumeFrom = "latest" } }))
            resumed = t.Run();
        Assert.Equal(full.Losses.Skip(5), resumed.Losses);
        var expected = TrainingFixtures.Weights(a);
        foreach (var (name, w) in TrainingFixtures.Weights(resumedModel)) Assert.Equal(expected[name], w);
        Assert.True(File.Exists(Path.Combine(dirB, "metrics.jsonl")));
    }

    [Fact]
    public void A_run_resumed_from_a_checkpoint_at_an_epoch_end_continues_with_the_next_epoch()
    {
        // 4 examples, batch 1, accumulation 2: 2 steps per epoch, so the checkpoint of step 2 holds the position at the epoch's end.
        var examples = Enumerable.Range(0, 4).Select(i =>
        {
            int[] ids = [.. Enumerable.Range(0, 6 + i).Select(t => (3 + i * 5 + t * (1 + i)) % 48)];
            return new SftExample(ids, [-100, .. ids[1..]], $"row {i}");
        }).ToList();
        BatchLoader<SftExample, CausalLmBatch> Source() => new(examples, new SftCollator(padId: 0), new BatchLoaderOptions { BatchSize = 1 });
        var options = Fast(6);
        options = options with { Checkpoint = options.Checkpoint with { SaveEveryNSteps = 2, KeepLastCheckpoints = 5 } };
        var dirA = TrainingFixtures.TempDir();
        using var a = TrainingFixtures.TinyModel(seed: 4);
        TrainingResult full;
        using (var t = new Trainer(a, new CausalLmObjective(), Source(), options with { Checkpoint = options.Checkpoint with { OutputDir = dirA } }))
            full = t.Run();

        var dirB = TrainingFixtures.TempDir();
        using (var first = TrainingFixtures.TinyModel(seed: 4))
        using (var t = new Trainer(first, new CausalLmObjective(), Source(), options with { Checkpoint = options.Checkpoint with { OutputDir = dirB } }))
        {
            using var cts = new CancellationTokenSource();
            Assert.Throws<OperationCanceledException>(() => t.Run(new Progress(u => { if (u.Kind == TrainingUpdateKind.Checkpoint) cts.Cancel(); }), cts.Token));
        }
        using var resumedModel = TrainingFixtures.TinyModel(seed: 99);
        TrainingResult resumed;
        using (var t = new Trainer(resumedModel, new CausalLmObjective(), Source(), options with { Checkpoint = options.Checkpoint with { OutputDir = dirB, ResumeFrom = "latest" } }))
            resumed = t.Run();
        Assert.Equal(full.Losses.Skip(2), resumed.Losses);
        var expected = TrainingFixtures.Weights(a);
        foreach (var (name, w) in TrainingFixtures.Weights(resumedModel)) Assert.Equal(expected[name], w);
    }

    [Fact]
    public void Non_finite_steps_are_skipped_counted_and_stop_the_run_past_the_limit()
    {
        using var model = TrainingFixtures.TinyModel(seed: 4);
        var poisoned = new PoisonedObjective(new CausalLmObjective(), badCalls: [2, 3]);
        var updates = new List<TrainingUpdate>();
        using (var t = new Trainer(model, poisoned, TrainingFixtures.CountingSource(6), Fast(6) with { AccumulationSteps = 1, MaxNonFiniteSteps = 2 }))
        {
            var before = TrainingFixtures.Weights(model);
            var result = t.Run(new Progress(updates.Add));
            Assert.Equal(6, result.Steps);
            Assert.Equal(2, result.SkippedSteps);
            Assert.Equal(2, updates.Count(u => u.Kind == TrainingUpdateKind.SkippedStep));
            Assert.Equal(4, t.Optimizer.StepCount);
            Assert.All(TrainingFixtures.Weights(model).Values, w => Assert.All(w, x => Assert.True(float.IsFinite(x))));
        }
        using var again = TrainingFixtures.TinyModel(seed: 4);
        using var strict = new Trainer(again, new PoisonedObjective(new CausalLmObjective(), badCalls: [1, 2, 3]), TrainingFixtures.CountingSource(6), Fast(6) with { AccumulationSteps = 1, MaxNonFiniteSteps = 2 });
        var ex = Assert.Throws<TrainingException>(() => strict.Run());
        Assert.Contains("MaxNonFiniteSteps", ex.Message);
    }

    [Fact]
    public void Writes_metrics_checkpoint_and_exports_an_hf_folder_with_the_tokenizer()
    {
        var dir = TrainingFixtures.TempDir();
        var tokenizerDir = TrainingFixtures.TempDir();
        File.WriteAllText(Path.Combine(tokenizerDir, "tokenizer.json"), "{}");
        using var model = TrainingFixtures.TinyModel(seed: 4);
        var updates = new List<TrainingUpdate>();
        using (var t = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(4), Fast(4) with { Checkpoint = new() { OutputDir = dir, TokenizerDirectory = tokenizerDir }, LogEveryNSteps = 2 }, TrainingFixtures.CountingSource(1)))
            t.Run(new Progress(updates.Add));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Count(l => l.Contains("\"lr\"")));
        Assert.Equal([2L, 4L], updates.Where(u => u.Kind == TrainingUpdateKind.Step).Select(u => u.Step));
        Assert.Equal(TrainingUpdateKind.Finished, updates[^1].Kind);
        Assert.True(File.Exists(Path.Combine(dir, "final", "tokenizer.json")));
        using var reloaded = LlamaForCausalLM.FromPretrained(Path.Combine(dir, "final"));
        var expected = TrainingFixtures.Weights(model);
        foreach (var (name, w) in TrainingFixtures.Weights(reloaded)) Assert.Equal(expected[name], w);
    }

    [Fact]
    public void A_missing_tokenizer_for_the_export_is_named_before_training()
    {
        using var model = TrainingFixtures.TinyModel(seed: 4);
        var options = Fast(2) with { Checkpoint = new() { OutputDir = TrainingFixtures.TempDir(), TokenizerDirectory = "/no/such/tokenizer" } };
        var ex = Assert.Throws<TrainingException>(() => new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(4), options));
        Assert.Contains("/no/such/tokenizer", ex.Message);
    }

    [Fact]
    public void Epoch_count_sets_the_steps_when_max_steps_is_absent()
    {
        using var model = TrainingFixtures.TinyModel(seed: 4);
        using var t = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(5), Fast(1) with { Schedule = Fast(1).Schedule with { MaxSteps = null, MaxEpochs = 2 }, AccumulationSteps = 2 });
        Assert.Equal(6, t.TotalSteps);
        Assert.Equal(6, t.Run().Steps);
    }

    [Fact]
    public void The_seed_fixes_the_run()
    {
        double[] Losses(long seed)
        {
            using var model = TrainingFixtures.TinyModel(seed: 1);
            using var t = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(6), Fast(6) with { Seed = seed, AccumulationSteps = 1 });
            return [.. t.Run().Losses];
        }
        Assert.Equal(Losses(7), Losses(7));
        Assert.NotEqual(Losses(7), Losses(8));
    }

    [Fact]
    public void RunStep_takes_one_step_on_given_batches()
    {
        using var model = TrainingFixtures.TinyModel(seed: 4);
        using var t = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(2), Fast(5));
        using var a = TrainingFixtures.CountingBatch(0, 2, 12, 48)();
        using var b = TrainingFixtures.CountingBatch(1, 2, 12, 48)();
        double first = t.RunStep([a, b]);
        Assert.True(double.IsFinite(first) && first > 0);
        Assert.Equal(1, t.Step);
        Assert.Equal(1, t.Optimizer.StepCount);
        Assert.Throws<ArgumentException>(() => t.RunStep([]));
        Assert.False(((CausalLmBatch)a).InputIds.IsInvalid, "the caller keeps its batches");
    }

    [Fact]
    public void A_source_without_length_needs_max_steps()
    {
        using var model = TrainingFixtures.TinyModel(seed: 4);
        var ex = Assert.Throws<TrainingException>(() => new Trainer(model, new CausalLmObjective(), new EndlessSource(), Fast(1) with { Schedule = Fast(1).Schedule with { MaxSteps = null } }));
        Assert.Contains("MaxSteps", ex.Message);
    }

    [Fact]
    public void An_objective_and_a_source_of_different_batch_types_are_refused_at_construction()
    {
        using var model = TrainingFixtures.TinyModel(seed: 4);
        var pairs = new BatchLoader<PreferenceExample, PreferenceBatch>([new PreferenceExample([1, 2], [3], [4], "a")],
            new PreferenceCollator(padId: 0), new BatchLoaderOptions { BatchSize = 1 });
        var ex = Assert.Throws<TrainingException>(() => new Trainer(model, new CausalLmObjective(), pairs, Fast(1)));
        Assert.Contains("the train batch source yields PreferenceBatch batches but the causal_lm objective reads CausalLmBatch batches", ex.Message);
        ex = Assert.Throws<TrainingException>(() => new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(2), Fast(1), validation: pairs));
        Assert.Contains("validation", ex.Message);
        using var reference = TrainingFixtures.TinyModel(seed: 4);
        var lm = new BatchLoader<SftExample, CausalLmBatch>([new SftExample([1, 2, 3], [-100, 2, 3], "a")], new SftCollator(padId: 0),
            new BatchLoaderOptions { BatchSize = 1 });
        ex = Assert.Throws<TrainingException>(() => new Trainer(model, new DpoObjective(new ModelReferenceLogProbs(reference)), lm, Fast(1)));
        Assert.Contains("reads PreferenceBatch", ex.Message);
        // A source of unknown batch type (InMemoryBatchSource) is checked batch by batch by the objective instead.
        using var ok = new Trainer(model, new CausalLmObjective(), TrainingFixtures.CountingSource(2), Fast(1));
    }

    sealed class EndlessSource : IBatchSource
    {
        public long? BatchesPerEpoch => null;
        public void StartEpoch(int epoch, long seed) { }
        public TrainingBatch? Next() => TrainingFixtures.CountingBatch(0, 1, 8, 48)();
        public System.Text.Json.Nodes.JsonNode SavePosition() => new System.Text.Json.Nodes.JsonObject();
        public void RestorePosition(int epoch, long seed, System.Text.Json.Nodes.JsonNode position) { }
    }

    sealed class Progress(Action<TrainingUpdate> action) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value) => action(value);
    }

    /// <summary>Returns a NaN loss on the given 1-based calls, the wrapped loss otherwise.</summary>
    sealed class PoisonedObjective(IObjective inner, int[] badCalls) : IObjective
    {
        int _calls;
        public string Name => "poisoned";
        public Type BatchType => inner.BatchType;
        public long CountUnits(TrainingBatch batch) => inner.CountUnits(batch);
        public ObjectiveResult Compute(LlamaForCausalLM model, TrainingBatch batch, long totalUnits)
        {
            var result = inner.Compute(model, batch, totalUnits);
            return badCalls.Contains(++_calls) ? result with { Loss = result.Loss.mul(float.NaN) } : result;
        }
    }
}
