using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>
/// Moves a batch to the model's device. Loaders and collators build batches on the CPU (pinned host
/// memory is not bound in TorchSharp); the trainer counts units and checks token ids there, then moves
/// each micro-batch once, just before its forward (a reference model on its own device does the same).
/// </summary>
internal static class BatchDevice
{
    /// <summary>
    /// <paramref name="batch"/> when it is already on <paramref name="device"/> (nothing to free), else a copy
    /// there that the caller disposes. Batch types other than the built-in ones are returned as they are:
    /// their objective moves what it reads.
    /// </summary>
    public static TrainingBatch To(TrainingBatch batch, Device device)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(device);
        return batch switch
        {
            CausalLmBatch lm when !IsOn(lm.InputIds, device) => Move(lm, device),
            PreferenceBatch p when !IsOn(p.Chosen.InputIds, device) => new PreferenceBatch(Move(p.Chosen, device), Move(p.Rejected, device), p.ExampleIds),
            _ => batch,
        };
    }

    static bool IsOn(Tensor t, Device device) => t.device_type == device.type && (device.type == DeviceType.CPU || t.device_index == device.index);

    static CausalLmBatch Move(CausalLmBatch b, Device device) =>
        new(b.InputIds.to(device), b.Labels?.to(device), b.Targets?.to(device), b.AttentionMask?.to(device), b.DocumentIds?.to(device), b.ExampleIds);
}
