using Prem.Llm.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Devices;

public class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu", DeviceType.CPU, null)]
    [InlineData(" CPU ", DeviceType.CPU, null)]
    [InlineData("cuda", DeviceType.CUDA, null)]
    [InlineData("gpu", DeviceType.CUDA, null)]
    [InlineData("cuda:0", DeviceType.CUDA, 0)]
    [InlineData("CUDA:12", DeviceType.CUDA, 12)]
    public void Parses_the_spellings_recipes_and_the_cli_accept(string text, DeviceType type, int? index)
    {
        Assert.Equal((type, index), ComputeDevice.Parse(text));
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:1x")]
    [InlineData("")]
    public void Other_spellings_name_the_setting(string text)
    {
        var e = Assert.Throws<DeviceException>(() => ComputeDevice.Parse(text, "trainer.accelerator"));
        Assert.Equal("trainer.accelerator", e.Setting);
        Assert.Equal($"trainer.accelerator: expected cpu, cuda or cuda:N, got \"{text}\"", e.Message);
    }

    [Fact]
    public void Cuda_without_an_index_is_the_local_ranks_gpu()
    {
        Assert.Equal("cuda:3", ComputeDevice.ForLocalRank((DeviceType.CUDA, null), 3).ToString());
        Assert.Equal("cuda:1", ComputeDevice.ForLocalRank((DeviceType.CUDA, 1), 3).ToString());
        Assert.Equal("cpu", ComputeDevice.ForLocalRank((DeviceType.CPU, null), 3).ToString());
    }

    [Fact]
    public void Require_passes_the_cpu_and_visible_gpus_and_names_the_setting_otherwise()
    {
        Assert.Equal("cpu", ComputeDevice.Require(ComputeDevice.Cpu, "x", 0).ToString());
        Assert.Equal("cuda:1", ComputeDevice.Require(new Device(DeviceType.CUDA, 1), "x", 2).ToString());
        var none = Assert.Throws<DeviceException>(() => ComputeDevice.Require(new Device(DeviceType.CUDA, 0), "--device", 0));
        Assert.StartsWith("--device: cuda:0 was asked for, but LibTorch sees no CUDA device", none.Message);
        Assert.Contains("TorchSharp-cuda-linux", none.Message);
        var beyond = Assert.Throws<DeviceException>(() => ComputeDevice.Require(new Device(DeviceType.CUDA, 1), "--device", 1));
        Assert.Contains("only 1 CUDA device (cuda:0..cuda:0)", beyond.Message);
    }

    [Fact]
    public void The_cpu_libtorch_of_the_tests_sees_no_cuda_and_says_so_without_throwing()
    {
        // The test project references libtorch-cpu: whatever the machine, LibTorch here has no CUDA.
        Assert.Equal(0, ComputeDevice.CudaDeviceCount());
        var e = Assert.Throws<DeviceException>(() => ComputeDevice.Require(new Device(DeviceType.CUDA, 0), "trainer.accelerator"));
        Assert.Equal("trainer.accelerator", e.Setting);
    }

    [Fact]
    public void Seeding_repeats_draws_and_synchronising_the_cpu_is_a_no_op()
    {
        ComputeDevice.ManualSeed(7);
        using var a = rand(4);
        ComputeDevice.ManualSeed(7);
        using var b = rand(4);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        ComputeDevice.Synchronize(ComputeDevice.Cpu);
        Assert.Null(GpuMemory.Of(ComputeDevice.Cpu));
    }
}
