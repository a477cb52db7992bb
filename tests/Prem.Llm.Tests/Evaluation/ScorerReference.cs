using Prem.Llm.Evaluation;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Evaluation;

/// <summary>
/// The direct computation the scorers are checked against: one unbatched forward pass over the
/// window-cut concatenation, then log-softmax and the sum over continuation tokens in double,
/// written out by hand.
/// </summary>
public static class ScorerReference
{
    public static (double LogLikelihood, bool IsGreedy) Direct(TinyCausalLm model, TokenizedRequest request) =>
        Direct(model.Forward, model.MaxLength, model.Vocab, request);

    /// <summary>The same for any causal LM given as ids [1, T] → logits [1, T, vocab].</summary>
    public static (double LogLikelihood, bool IsGreedy) Direct(Func<Tensor, Tensor> forward, int maxLength, int vocab, TokenizedRequest request)
    {
        var all = request.Context.Concat(request.Continuation).ToArray();
        var window = all.Skip(Math.Max(0, all.Length - (maxLength + 1))).ToArray();
        var input = window[..^1];
        using var scope = NewDisposeScope();
        var logits = forward(tensor(input.Select(t => (long)t).ToArray()).unsqueeze(0))[0].to_type(ScalarType.Float32).data<float>().ToArray();
        int v = vocab, n = request.Continuation.Count;
        double sum = 0;
        bool greedy = true;
        for (int j = 0; j < n; j++)
        {
            int position = input.Length - n + j, token = request.Continuation[j];
            var row = logits.AsSpan(position * v, v);
            double max = double.NegativeInfinity;
            int argmax = 0;
            for (int k = 0; k < v; k++)
                if (row[k] > max) (max, argmax) = (row[k], k);
            double z = 0;
            for (int k = 0; k < v; k++) z += Math.Exp(row[k] - max);
            sum += row[token] - max - Math.Log(z);
            greedy &= argmax == token;
        }
        return (sum, greedy);
    }

    /// <summary>Random requests: several continuations per context (as a question's choices), some longer than the window.</summary>
    public static List<TokenizedRequest> RandomRequests(int seed, int vocab, int maxLength, int questions = 12)
    {
        var random = new Random(seed);
        var requests = new List<TokenizedRequest>();
        for (int q = 0; q < questions; q++)
        {
            int contextLength = q % 5 == 4 ? maxLength + random.Next(1, 8) : random.Next(1, maxLength / 2);
            var context = Enumerable.Range(0, contextLength).Select(_ => random.Next(vocab)).ToArray();
            int choices = random.Next(1, 5);
            for (int c = 0; c < choices; c++)
                requests.Add(new TokenizedRequest(context, Enumerable.Range(0, random.Next(1, 7)).Select(_ => random.Next(vocab)).ToArray()));
        }
        return requests;
    }
}
