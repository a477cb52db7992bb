using Prem.Llm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Data.Batches;

public class BatchDeviceTests
{
    static CausalLmBatch Batch() => new(arange(6).reshape(2, 3), labels: arange(6).reshape(2, 3),
        attentionMask: ones(2, 3, ScalarType.Int64), documentIds: zeros(2, 3, ScalarType.Int64), exampleIds: [4, 5]);

    [Fact]
    public void A_batch_already_on_the_device_is_returned_as_it_is()
    {
        using var batch = Batch();
        Assert.Same(batch, BatchDevice.To(batch, new Device(DeviceType.CPU)));
    }

    [Fact]
    public void A_batch_elsewhere_is_copied_whole_and_the_original_is_untouched()
    {
        // The meta device stands in for CUDA (no GPU here): every tensor must move, ids and all.
        var meta = new Device(DeviceType.META);
        using var batch = Batch();
        using var moved = (CausalLmBatch)BatchDevice.To(batch, meta);
        Assert.NotSame(batch, moved);
        foreach (var t in new[] { moved.InputIds, moved.Labels!, moved.AttentionMask!, moved.DocumentIds! })
            Assert.Equal(DeviceType.META, t.device_type);
        Assert.Null(moved.Targets);
        Assert.Equal([4L, 5L], moved.ExampleIds!);
        Assert.Equal(DeviceType.CPU, batch.InputIds.device_type);
        Assert.Equal(15L, batch.InputIds.sum().item<long>());
    }

    [Fact]
    public void Preference_batches_move_both_sides()
    {
        using var pair = new PreferenceBatch(Batch(), Batch(), [1, 2]);
        using var moved = (PreferenceBatch)BatchDevice.To(pair, new Device(DeviceType.META));
        Assert.Equal(DeviceType.META, moved.Chosen.Labels!.device_type);
        Assert.Equal(DeviceType.META, moved.Rejected.InputIds.device_type);
        Assert.Equal([1L, 2L], moved.ExampleIds!);
    }
}
