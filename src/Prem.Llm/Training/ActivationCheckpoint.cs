using Prem.Llm.Attention;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>
/// Activation (gradient) checkpointing per decoder layer: the forward keeps only each layer's input;
/// the backward runs the layer again with autograd on and back-propagates through the recomputation.
/// Trades one extra forward for the layer activations' memory. Llama layers have no dropout, so the
/// recomputation is identical to the original forward and the gradients equal the plain ones; LoRA
/// dropout on the CPU draws from the global CPU generator, whose state the forward saves and the
/// recomputation restores, so it draws the same masks (as torch.utils.checkpoint's preserve_rng_state).
/// TorchSharp has no <c>torch.utils.checkpoint</c>; this is a custom autograd function.
/// </summary>
internal static class ActivationCheckpoint
{
    /// <summary>Turns checkpointing on or off for every layer of <paramref name="model"/>.</summary>
    public static void Enable(LlamaForCausalLM model, bool on) =>
        model.Model.LayerRunner = on ? Run : null;

    /// <summary>Runs <paramref name="layer"/> checkpointed (a <see cref="LlamaModel.LayerRunner"/>).</summary>
    public static Tensor Run(LlamaDecoderLayer layer, Tensor hidden, Tensor cos, Tensor sin, AttentionMask mask)
    {
        if (!is_grad_enabled() || !hidden.requires_grad) return layer.Forward(hidden, cos, sin, mask, null);
        return Function.apply(hidden, cos, sin, mask.KeyPadding, mask.DocumentIds, layer, mask.IsCausal, mask.QueryOffset, mask.SlidingWindow ?? 0L);
    }

    private sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => nameof(ActivationCheckpoint);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var hidden = (Tensor)vars[0];
            var cos = (Tensor)vars[1];
            var sin = (Tensor)vars[2];
            var keyPadding = vars[3] as Tensor;
            var documentIds = vars[4] as Tensor;
            var layer = (LlamaDecoderLayer)vars[5];
            ctx.save_for_backward([hidden, cos, sin, keyPadding!, documentIds!]);
            ctx.save_data("layer", layer);
            ctx.save_data("causal", vars[6]);
            ctx.save_data("offset", vars[7]);
            ctx.save_data("window", vars[8]);
            // Outlives the forward's dispose scopes; the backward frees it.
            ctx.save_data("rng", get_rng_state().DetachFromDisposeScope());
            ctx.set_materialize_grads(false);
            return layer.Forward(hidden, cos, sin, Mask(keyPadding, documentIds, (bool)vars[6], (long)vars[7], (long)vars[8]), null);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var saved = ctx.get_saved_variables();
            var layer = (LlamaDecoderLayer)ctx.get_data("layer");
            var mask = Mask(saved[3], saved[4], (bool)ctx.get_data("causal"), (long)ctx.get_data("offset"), (long)ctx.get_data("window"));
            using var enable = enable_grad();
            using var input = saved[0].detach().requires_grad_(true);
            using var rng = (Tensor)ctx.get_data("rng");
            using var now = get_rng_state();
            set_rng_state(rng);
            Tensor output;
            try { output = layer.Forward(input, saved[1], saved[2], mask, null); }
            finally { set_rng_state(now); }
            using var _ = output;
            autograd.backward([output], [gradOutput]);
            var gradInput = input.grad!;
            return [gradInput, null!, null!, null!, null!, null!, null!, null!, null!];
        }

        static AttentionMask Mask(Tensor? keyPadding, Tensor? documentIds, bool causal, long offset, long window) =>
            new()
            {
                KeyPadding = IsSet(keyPadding), DocumentIds = IsSet(documentIds), IsCausal = causal, QueryOffset = offset,
                SlidingWindow = window > 0 ? window : null,
            };

        static Tensor? IsSet(Tensor? t) => t is null || t.IsInvalid ? null : t;
    }
}
