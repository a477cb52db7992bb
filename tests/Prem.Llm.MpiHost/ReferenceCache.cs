using Prem.Llm.Data;
using Prem.Llm.Distributed;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using static TorchSharp.torch;

namespace Prem.Llm.MpiHost;

/// <summary>
/// DPO reference log-probs precomputed in parallel: of --examples preference pairs (ids 0..n−1,
/// tokens a hash of the id), rank r of N takes the batches of ids ≡ r (mod N), and
/// <see cref="CachedReferenceLogProbs.Precompute"/> gathers all records into one file
/// (<c>reference.bin</c>) that rank 0 writes. Run with one process for the reference file.
/// </summary>
internal static class ReferenceCache
{
    public static void Run(ICommunicator communicator, HostArgs options, string output)
    {
        int examples = options.Int("examples", 10), seqLen = 12;
        var config = TinyTraining.Config("tiny");
        using var reference = new LlamaForCausalLM(config, dtype: ScalarType.Float32, seed: 77);
        var mine = Enumerable.Range(0, examples).Where(i => i % communicator.Size == communicator.Rank).ToList();
        // Two examples per batch: a rank's share is several batches.
        var batches = mine.Chunk(2).Select(ids => Batch(ids, seqLen, config.VocabSize));
        var cache = CachedReferenceLogProbs.Precompute(reference, batches, Path.Combine(output, "reference.bin"), communicator);
        File.WriteAllText(Path.Combine(output, $"rank{communicator.Rank}.json"), $"{{\"count\":{cache.Count}}}");
    }

    private static PreferenceBatch Batch(int[] ids, int seqLen, int vocab)
    {
        Tensor Tokens(int salt) => tensor(ids.SelectMany(id => Enumerable.Range(0, seqLen)
            .Select(t => (long)(StableHash.Of(salt * 1000 + id, t) % (ulong)vocab))).ToArray(), [ids.Length, seqLen]);
        Tensor Labels(Tensor tokens)
        {
            // The first half is the prompt (−100), the rest the response.
            var labels = tokens.clone();
            labels.narrow(1, 0, seqLen / 2).fill_(TrainingBatch.IgnoreIndex);
            return labels;
        }
        var chosen = Tokens(1);
        var rejected = Tokens(2);
        return new PreferenceBatch(new CausalLmBatch(chosen, labels: Labels(chosen)), new CausalLmBatch(rejected, labels: Labels(rejected)),
            ids.Select(i => (long)i).ToArray());
    }
}
