using Prem.Llm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>
/// The output head and cross-entropy fused and chunked over rows: logits are formed for
/// <see cref="DefaultChunkRows"/> rows at a time, in the compute dtype, turned into their gradient in
/// place by one fused row pass (<see cref="CrossEntropyRows"/>: softmax statistics in float32), and
/// their gradients with respect to the hidden states and the head weight are taken right away, so
/// logits for the whole batch never exist. The same GEMMs as the plain computation run (three per
/// chunk), just in the forward. Off the CPU, or for other dtypes, LibTorch ops do the row work.
/// Written by hand because LibTorch has no fused linear cross-entropy and TorchSharp no autocast.
/// </summary>
internal static class LinearCrossEntropy
{
    /// <summary>Rows of logits materialised at once (× vocabulary values in the compute dtype).</summary>
    public const int DefaultChunkRows = 256;

    /// <summary>
    /// Sum over rows with target ≠ −100 of −log softmax(hidden·Wᵀ)[target], times <paramref name="scale"/>,
    /// and the number of those rows whose argmax equals the target.
    /// </summary>
    /// <param name="hidden">[rows, hidden] in the compute dtype.</param>
    /// <param name="weight">[vocab, hidden], same dtype as <paramref name="hidden"/>.</param>
    /// <param name="targets">[rows] int64, −100 for ignored rows.</param>
    /// <param name="scale">Factor on the summed loss (1 / units of the accumulated batch).</param>
    /// <param name="chunkRows">Rows per chunk.</param>
    /// <returns>(scaled loss, float32 scalar with autograd; correct predictions, int64 scalar).</returns>
    public static (Tensor Loss, Tensor Correct) Compute(Tensor hidden, Tensor weight, Tensor targets, double scale, int chunkRows = DefaultChunkRows)
    {
        if (hidden.dim() != 2 || weight.dim() != 2 || hidden.shape[1] != weight.shape[1])
            throw new ArgumentException($"hidden must be [rows, hidden] and weight [vocab, hidden]; got [{string.Join(", ", hidden.shape)}] and [{string.Join(", ", weight.shape)}].");
        if (targets.dim() != 1 || targets.shape[0] != hidden.shape[0])
            throw new ArgumentException($"targets must be [{hidden.shape[0]}]; got [{string.Join(", ", targets.shape)}].", nameof(targets));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkRows);
        bool needGrad = is_grad_enabled() && (hidden.requires_grad || weight.requires_grad);
        var outputs = Function.apply(hidden, weight, targets, scale, chunkRows, needGrad);
        return (outputs[0], outputs[1]);
    }

    private sealed class Function : autograd.MultiTensorFunction<Function>
    {
        public override string Name => nameof(LinearCrossEntropy);

        public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var hidden = (Tensor)vars[0];
            var weight = (Tensor)vars[1];
            var targets = (Tensor)vars[2];
            double scale = (double)vars[3];
            int chunkRows = (int)vars[4];
            bool needGrad = (bool)vars[5];
            long rows = hidden.shape[0];

            var loss = zeros(1, ScalarType.Float32, hidden.device);
            var correct = zeros(1, ScalarType.Int64, hidden.device);
            Tensor? gradHidden = needGrad ? empty_like(hidden) : null;
            // In the weight's dtype: for bf16 the GEMM accumulates each chunk in float32 internally and
            // rounds once per chunk into the sum; a float32 accumulator cost a full extra pass per chunk.
            // Uninitialised is fine: the first chunk's GEMM writes it with β = 0 (zeros when there is no row).
            Tensor? gradWeight = needGrad ? (rows > 0 ? empty_like(weight) : zeros_like(weight)) : null;
            // The fused row kernel reads the targets from a managed array; the LibTorch path gathers them.
            long[]? targetArray = hidden.device_type == DeviceType.CPU ? targets.to_type(ScalarType.Int64).contiguous().data<long>().ToArray() : null;
            for (long start = 0; start < rows; start += chunkRows)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(chunkRows, rows - start);
                var h = hidden.narrow(0, start, n);
                var logits = h.matmul(weight.t());
                Tensor gc;
                if (targetArray is not null && CrossEntropyRows.Applies(logits))
                {
                    // In place: the logits become d(sum CE)/d logits, in their own dtype.
                    var (chunkLoss, chunkCorrect) = CrossEntropyRows.Apply(logits, targetArray, (int)start, needGrad);
                    loss.add_(chunkLoss);
                    correct.add_(chunkCorrect);
                    gc = logits;
                }
                else
                {
                    var g = ChunkWithLibTorch(logits, targets.narrow(0, start, n), loss, correct);
                    if (!needGrad) continue;
                    gc = g.to_type(hidden.dtype);
                }
                if (gradHidden is null || gradWeight is null) continue;
                // The scale is applied through the GEMMs' alpha rather than another pass over the logits;
                // β = 0 ignores the uninitialised outputs (NaN included) on first write.
                gradHidden.narrow(0, start, n).addmm_(gc, weight, beta: 0, alpha: (float)scale);
                gradWeight.addmm_(gc.t(), h, beta: start == 0 ? 0 : 1, alpha: (float)scale);
            }
            loss.mul_(scale);
            if (gradHidden is not null && gradWeight is not null) ctx.save_for_backward([gradHidden, gradWeight]);
            ctx.mark_non_differentiable([correct]);
            // TorchSharp would fill the count's undefined gradient from a cached tensor that the
            // caller's dispose scope has already freed; the backward never needs it.
            ctx.set_materialize_grads(false);
            return [loss.squeeze(), correct.squeeze()];
        }

        /// <summary>
        /// The same chunk with LibTorch ops (any device or dtype): adds its loss and correct count and
        /// returns d(sum CE)/d logits in float32.
        /// </summary>
        private static Tensor ChunkWithLibTorch(Tensor logits, Tensor t, Tensor loss, Tensor correct)
        {
            var valid = t.ne(TrainingBatch.IgnoreIndex);
            var safeT = t.masked_fill(valid.logical_not(), 0).unsqueeze(1);
            // One fused row kernel gives float32 probabilities straight from the (maybe bf16) logits;
            // they are both the loss's input and, minus the one-hot target, its gradient.
            var probs = logits.softmax(1, ScalarType.Float32);
            var rowLoss = probs.gather(1, safeT).squeeze(1).log().neg_();
            // Below float32's normal range log(p) loses precision (and is ∞ at 0): redo those rare rows exactly.
            var tiny = rowLoss.gt(69.0).logical_and(valid);
            if (tiny.any().item<bool>())
            {
                var rowsIdx = tiny.nonzero().squeeze(1);
                var exact = logits.index_select(0, rowsIdx).to_type(ScalarType.Float32);
                var exactLoss = exact.logsumexp(1).sub(exact.gather(1, safeT.index_select(0, rowsIdx)).squeeze(1));
                rowLoss.index_copy_(0, rowsIdx, exactLoss);
            }
            loss.add_(rowLoss.masked_fill(valid.logical_not(), 0).sum());
            correct.add_(probs.argmax(1).eq(t).logical_and(valid).sum());
            // d(sum CE)/d logits = softmax − onehot(target) on trained rows, 0 elsewhere.
            probs.scatter_add_(1, safeT, full(t.shape[0], 1, -1.0f, ScalarType.Float32, logits.device));
            if (!valid.all().item<bool>()) probs.mul_(valid.unsqueeze(1));
            return probs;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> gradOutputs)
        {
            var saved = ctx.get_saved_variables();
            var g = gradOutputs[0];
            return [saved[0].mul(g.to_type(saved[0].dtype)), saved[1].mul(g.to_type(saved[1].dtype)), null!, null!, null!, null!];
        }
    }
}
