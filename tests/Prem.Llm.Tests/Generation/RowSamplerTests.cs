using Prem.Llm.Generation;
using TorchSharp;

namespace Prem.Llm.Tests.Generation;

public class RowSamplerTests
{
    [Fact]
    public void Greedy_takes_the_lowest_id_among_equal_maxima()
    {
        using var sampler = new RowSampler([0], new SamplingOptions(), 5);
        Assert.Equal(1, sampler.Pick([0f, 3f, -1f, 3f, 2f]));
    }

    [Fact]
    public void The_repetition_penalty_covers_the_prompt_and_every_picked_id()
    {
        // HF: a seen id's logit is divided by the penalty when positive, multiplied when negative.
        using var sampler = new RowSampler([1], new SamplingOptions { RepetitionPenalty = 2.0 }, 4);
        Assert.Equal(2, sampler.Pick([0f, 5f, 4f, 1f]));   // id 1 seen in the prompt: 5 / 2 = 2.5 < 4
        Assert.Equal(3, sampler.Pick([0f, 4f, 4f, 2.1f])); // 1 and 2 seen: 2 and 2 against 2.1
    }

    [Fact]
    public void Sampling_follows_the_logits_processor_with_a_generator_of_the_seed()
    {
        var options = new SamplingOptions { Temperature = 0.8, TopK = 3, TopP = 0.95, Seed = 7 };
        var random = new Random(5);
        var rows = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble() * 4).ToArray()).ToArray();
        using var sampler = new RowSampler([0], options, 16);
        using var generator = new torch.Generator(7);
        foreach (var row in rows)
        {
            int expected = (int)LogitsProcessor.Pick(torch.tensor(row, [1, 16]), options, generator).data<long>()[0];
            Assert.Equal(expected, sampler.Pick((float[])row.Clone()));
        }
    }

    [Fact]
    public void Logits_of_the_wrong_length_are_refused()
    {
        using var sampler = new RowSampler([0], new SamplingOptions(), 4);
        Assert.Throws<ArgumentException>(() => sampler.Pick(new float[3]));
    }
}
