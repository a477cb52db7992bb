using Prem.Llm.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Recipes;

/// <summary>
/// The device a recipe trains on: the host's <c>--device</c> when given, else <c>trainer.accelerator</c>
/// (auto: this rank's GPU when LibTorch sees one, else the CPU; cuda: this rank's GPU, one per local rank).
/// CUDA asked for where LibTorch sees none is a <see cref="RecipeException"/> naming the setting.
/// </summary>
internal static class RecipeDevices
{
    /// <summary>The key <c>--device</c> errors are reported under.</summary>
    public const string DeviceOption = "--device";

    /// <summary>Resolves the device for <paramref name="localRank"/>.</summary>
    public static Device Resolve(Accelerator accelerator, string? deviceOverride, int localRank, string keyPath = "trainer.accelerator") =>
        Resolve(accelerator, deviceOverride, localRank, keyPath, ComputeDevice.CudaDeviceCount());

    /// <summary><see cref="Resolve(Accelerator, string?, int, string)"/> with the CUDA device count given (tests).</summary>
    internal static Device Resolve(Accelerator accelerator, string? deviceOverride, int localRank, string keyPath, int cudaDevices)
    {
        try
        {
            if (deviceOverride is not null)
                return ComputeDevice.Require(ComputeDevice.ForLocalRank(ComputeDevice.Parse(deviceOverride, DeviceOption), localRank), DeviceOption, cudaDevices);
            return accelerator switch
            {
                Accelerator.Cpu => ComputeDevice.Cpu,
                Accelerator.Cuda => ComputeDevice.Require(new Device(DeviceType.CUDA, localRank), keyPath, cudaDevices),
                _ => localRank < cudaDevices ? new Device(DeviceType.CUDA, localRank) : ComputeDevice.Cpu,
            };
        }
        catch (DeviceException e)
        {
            throw new RecipeException(null, e.Setting, e.Message[(e.Setting.Length + 2)..], e);
        }
    }

    /// <summary>
    /// Refuses CUDA training over an MPI communicator of several ranks: MPI reduces host memory, so gradients on
    /// the GPU need NCCL (the CLI picks it for <c>--device cuda</c> under mpirun/srun; torchrun-style launchers get it anyway).
    /// </summary>
    public static void CheckCommunicator(Device device, Distributed.ICommunicator communicator, string keyPath)
    {
        if (device.type == DeviceType.CUDA && communicator.Size > 1 && communicator.Backend != "nccl")
            throw new RecipeException(null, keyPath, $"{communicator.Size} ranks on CUDA need the NCCL backend, but this run's communicator is {communicator.Backend}: "
                + "pass --device cuda to prem (it then joins the ranks with NCCL under mpirun or srun) or launch with torchrun");
    }
}
