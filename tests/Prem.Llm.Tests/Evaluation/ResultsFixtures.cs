using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

/// <summary>Builds task results with a chosen number of correct documents (gold 0; the first choice wins when correct).</summary>
public static class ResultsFixtures
{
    public static TaskResult Task(EvalTask task, int correct, int total, int normCorrect = 0)
    {
        var docs = new List<DocumentResult>();
        for (int i = 0; i < total; i++)
        {
            bool right = i < correct, normRight = i < normCorrect;
            // (loglik, lengths) per case; e.g. [-1, -1.5] with lengths [1, 10]: acc picks 0, acc_norm (−1 vs −0.15) picks 1.
            (double[] ll, int[] lengths) = (right, normRight) switch
            {
                (true, true) => ([-1, -20], [1, 1]),
                (true, false) => ([-1, -1.5], [1, 10]),
                (false, true) => ([-2, -1], [10, 1]),
                _ => (new double[] { -2, -1 }, new[] { 1, 1 }),
            };
            var doc = new EvalDocument(task.Name, $"{task.Name}-{i}", ["c"], [" a", " b"], 0, task.HasAccNorm ? lengths : null);
            docs.Add(new DocumentResult(doc, ll, [false, false]));
        }
        return new TaskResult(task, docs, total, 0);
    }
}
