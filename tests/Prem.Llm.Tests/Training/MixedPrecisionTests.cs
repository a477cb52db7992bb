using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

public class MixedPrecisionTests
{
    [Fact]
    public void Bf16_mixed_has_a_bf16_copy_and_float32_master_gradients()
    {
        using var scope = NewDisposeScope();
        using var master = TrainingFixtures.TinyModel(seed: 2);
        using var mp = new MixedPrecision(master, TrainingPrecision.Bf16Mixed);
        Assert.Equal(ScalarType.BFloat16, mp.Working.Dtype);
        var masterW = master.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, w) in mp.Working.named_parameters())
            Assert.True(w.to_type(ScalarType.Float32).eq(masterW[name].to_type(ScalarType.BFloat16).to_type(ScalarType.Float32)).all().item<bool>(), name);

        var ids = TrainingFixtures.RandomIds(2, 8, 48, 3);
        using var batch = TrainingFixtures.LmBatch(ids);
        var objective = new CausalLmObjective();
        for (int i = 0; i < 2; i++)
        {
            objective.Compute(mp.Working, batch, 14).Loss.backward();
            mp.PullGradients();
        }
        Assert.Empty(TrainingFixtures.Grads(mp.Working));
        foreach (var (name, p) in master.named_parameters())
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);

        // The bf16 gradients sum, accumulated in float32, stay close to the float32 model's.
        var mixed = TrainingFixtures.Grads(master);
        TrainingFixtures.ZeroGrads(master);
        objective.Compute(master, batch, 7).Loss.backward();
        var exact = TrainingFixtures.Grads(master);
        double rel = TrainingFixtures.MaxAbsDiff(mixed["lm_head.weight"], exact["lm_head.weight"]) / exact["lm_head.weight"].Max(Math.Abs);
        Assert.True(rel < 0.05, $"relative gradient error {rel}");

        using (no_grad()) master.named_parameters().First().parameter.add_(1.0);
        mp.PushWeights();
        var first = master.named_parameters().First();
        Assert.True(mp.Working.named_parameters().First().parameter.to_type(ScalarType.Float32)
            .eq(first.parameter.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32)).all().item<bool>());
    }

    [Fact]
    public void An_attached_optimizer_writes_the_working_weights_and_master_gradients_are_reused()
    {
        using var scope = NewDisposeScope();
        using var master = TrainingFixtures.TinyModel(seed: 4);
        using var mp = new MixedPrecision(master, TrainingPrecision.Bf16Mixed);
        using var adam = ParameterGroups.CreateOptimizer(master, new OptimizerOptions());
        mp.AttachOptimizer(adam);
        var ids = TrainingFixtures.RandomIds(2, 8, 48, 5);
        using var batch = TrainingFixtures.LmBatch(ids);
        var objective = new CausalLmObjective();
        var bufferOf = new Dictionary<string, IntPtr>();
        for (int step = 0; step < 2; step++)
        {
            objective.Compute(mp.Working, batch, 14).Loss.backward();
            mp.PullGradients();
            // The float32 gradient equals the bf16 one converted (a single micro-batch: a copy, no sum).
            foreach (var (name, p) in master.named_parameters())
            {
                long storage = p.grad!.storage<float>().data_ptr();
                if (step == 0) bufferOf[name] = (IntPtr)storage;
                else Assert.Equal(bufferOf[name], (IntPtr)storage);
            }
            adam.Step(1e-3);
            adam.ZeroGrad();
            var masterW = master.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, w) in mp.Working.named_parameters())
                Assert.True(w.equal(masterW[name].detach().to_type(ScalarType.BFloat16)).all().item<bool>(), $"step {step}: {name}");
        }
    }

    [Fact]
    public void Float32_uses_the_model_itself_and_checks_dtypes()
    {
        using var master = TrainingFixtures.TinyModel(seed: 2);
        using var mp = new MixedPrecision(master, TrainingPrecision.Float32);
        Assert.Same(master, mp.Working);
        Assert.Throws<ArgumentException>(() => new MixedPrecision(master, TrainingPrecision.Bf16));
        using var bf16 = TrainingFixtures.TinyModel(seed: 2, dtype: ScalarType.BFloat16);
        Assert.Throws<ArgumentException>(() => new MixedPrecision(bf16, TrainingPrecision.Bf16Mixed));
        using var pure = new MixedPrecision(bf16, TrainingPrecision.Bf16);
        Assert.Same(bf16, pure.Working);
    }
}
