using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>
/// An objective's output for one micro-batch.
/// </summary>
/// <param name="Loss">Scalar float32 loss, already divided by the step's total units; backward-able.</param>
/// <param name="MetricSums">Metric name → sum over this micro-batch's units (the trainer divides the
/// step's sums by its total units, so every metric is a per-unit mean over the accumulated batch).</param>
public sealed record ObjectiveResult(Tensor Loss, IReadOnlyDictionary<string, double> MetricSums);
