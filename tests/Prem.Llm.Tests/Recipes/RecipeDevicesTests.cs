using Prem.Llm.Distributed;
using Prem.Llm.Recipes;
using TorchSharp;

namespace Prem.Llm.Tests.Recipes;

public class RecipeDevicesTests
{
    [Theory]
    // accelerator, --device, local rank, visible CUDA devices → device
    [InlineData("Cpu", null, 0, 2, "cpu")]
    [InlineData("Auto", null, 0, 0, "cpu")]
    [InlineData("Auto", null, 1, 2, "cuda:1")]
    [InlineData("Auto", null, 2, 2, "cpu")]
    [InlineData("Cuda", null, 0, 1, "cuda:0")]
    [InlineData("Cuda", null, 3, 4, "cuda:3")]
    [InlineData("Cuda", "cpu", 0, 4, "cpu")]
    [InlineData("Cpu", "cuda", 1, 2, "cuda:1")]
    [InlineData("Cpu", "cuda:0", 1, 2, "cuda:0")]
    [InlineData("Cpu", "GPU", 0, 1, "cuda:0")]
    public void The_device_follows_the_override_then_the_accelerator_one_gpu_per_local_rank(string accelerator, string? device, int localRank, int cuda, string expected)
    {
        var resolved = RecipeDevices.Resolve(Enum.Parse<Accelerator>(accelerator), device, localRank, "trainer.accelerator", cuda);
        Assert.Equal(expected, resolved.ToString());
    }

    [Theory]
    [InlineData("Cuda", null, 0, 0, "trainer.accelerator", "cuda:0 was asked for, but LibTorch sees no CUDA device")]
    [InlineData("Cuda", null, 2, 2, "trainer.accelerator", "only 2 CUDA devices (cuda:0..cuda:1) are visible")]
    [InlineData("Cpu", "cuda", 0, 0, "--device", "LibTorch sees no CUDA device")]
    [InlineData("Cpu", "cuda:x", 0, 1, "--device", "expected cpu, cuda or cuda:N, got \"cuda:x\"")]
    public void Cuda_that_is_not_here_is_a_recipe_error_naming_the_setting(string accelerator, string? device, int localRank, int cuda, string key, string message)
    {
        var e = Assert.Throws<RecipeException>(() => RecipeDevices.Resolve(Enum.Parse<Accelerator>(accelerator), device, localRank, "trainer.accelerator", cuda));
        Assert.Equal(key, e.KeyPath);
        Assert.Contains(message, e.Message);
        Assert.StartsWith(key + ": ", e.Message);
    }

    [Fact]
    public void Several_ranks_on_cuda_need_nccl()
    {
        var cuda = new torch.Device(DeviceType.CUDA, 0);
        var e = Assert.Throws<RecipeException>(() => RecipeDevices.CheckCommunicator(cuda, new FakeCommunicator("mpi", 2), "trainer.accelerator"));
        Assert.Equal("trainer.accelerator", e.KeyPath);
        Assert.Contains("NCCL", e.Message);
        RecipeDevices.CheckCommunicator(cuda, new FakeCommunicator("nccl", 2), "k");
        RecipeDevices.CheckCommunicator(cuda, new SingleProcessCommunicator(), "k");
        RecipeDevices.CheckCommunicator(Prem.Llm.Devices.ComputeDevice.Cpu, new FakeCommunicator("mpi", 2), "k");
    }

    sealed class FakeCommunicator(string backend, int size) : ICommunicator
    {
        public int Rank => 0;
        public int Size => size;
        public int LocalRank => 0;
        public string Backend => backend;
        public void AllReduce(Span<float> values, ReduceOp op = ReduceOp.Sum) => throw new NotSupportedException();
        public void AllReduce(Span<double> values, ReduceOp op = ReduceOp.Sum) => throw new NotSupportedException();
        public void AllReduce(torch.Tensor tensor, ReduceOp op = ReduceOp.Sum) => throw new NotSupportedException();
        public void Broadcast(Span<byte> buffer, int root = 0) => throw new NotSupportedException();
        public void Broadcast(torch.Tensor tensor, int root = 0) => throw new NotSupportedException();
        public void Barrier() => throw new NotSupportedException();
        public void Dispose() { }
    }
}
