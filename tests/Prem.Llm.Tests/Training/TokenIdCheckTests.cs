using Prem.Llm.Data;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

public class TokenIdCheckTests
{
    static TrainerOptions OneStep => new()
    {
        Schedule = new() { MaxSteps = 1 },
        Precision = new() { Mode = TrainingPrecision.Float32 },
        Checkpoint = new() { ExportFinalModel = false },
    };

    [Fact]
    public void An_id_past_the_vocabulary_is_a_managed_error_naming_the_batch_and_the_id()
    {
        using var model = TrainingFixtures.TinyModel(vocab: 48);
        var ids = TrainingFixtures.RandomIds(2, 8, 48, 5);
        ids[1, 3] = tensor(48L);
        using var trainer = new Trainer(model, new CausalLmObjective(), new InMemoryBatchSource([() => TrainingFixtures.LmBatch(ids)]), OneStep);
        var e = Assert.Throws<TrainingException>(() => trainer.Run());
        Assert.Equal("step 1, micro-batch 1: token id 48 at row 1, position 3 is outside the model's vocabulary [0, 48); " +
                     "the data was tokenized with a larger tokenizer than the model's", e.Message);
    }

    [Fact]
    public void Labels_past_the_vocabulary_are_caught_and_the_ignore_index_is_not()
    {
        using var model = TrainingFixtures.TinyModel(vocab: 48);
        var ids = TrainingFixtures.RandomIds(1, 6, 48, 6);
        var labels = ids.clone();
        labels[0, 0] = tensor(TrainingBatch.IgnoreIndex);
        labels[0, 4] = tensor(60L);
        using var trainer = new Trainer(model, new CausalLmObjective(), new InMemoryBatchSource([() => new CausalLmBatch(ids.clone(), labels: labels.clone())]), OneStep);
        var e = Assert.Throws<TrainingException>(() => trainer.Run());
        Assert.StartsWith("step 1, micro-batch 1: label 60 at row 0, position 4 is outside", e.Message);
    }
}
