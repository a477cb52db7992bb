using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Devices;

/// <summary>
/// Where tensors live and models run: <c>cpu</c>, <c>cuda</c> (this process's GPU: the local rank's under a
/// launcher, else 0) or <c>cuda:N</c>. Parses the spellings recipes and the CLI accept, checks that a CUDA
/// device exists before any model is built (a clear error naming the setting, not a crash inside LibTorch),
/// and covers the device side of seeding and timing.
/// </summary>
public static class ComputeDevice
{
    /// <summary>The CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.CPU);

    /// <summary>
    /// Parses <c>cpu</c>, <c>cuda</c> / <c>gpu</c> (no index: <see cref="ForLocalRank"/> picks one) or <c>cuda:N</c> (case-insensitive).
    /// Returns the device type and the index, or null for none.
    /// </summary>
    /// <exception cref="DeviceException">Any other spelling; the message names <paramref name="setting"/>.</exception>
    public static (DeviceType Type, int? Index) Parse(string text, string setting = "device")
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return (DeviceType.CPU, null);
        if (t is "cuda" or "gpu") return (DeviceType.CUDA, null);
        if (t.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            return (DeviceType.CUDA, index);
        throw new DeviceException(setting, $"expected cpu, cuda or cuda:N, got \"{text}\"");
    }

    /// <summary>
    /// The device for a parsed setting in a process with local rank <paramref name="localRank"/>: CUDA without an
    /// index is the local rank's GPU (one GPU per rank on a node), with an index that GPU.
    /// </summary>
    public static Device ForLocalRank((DeviceType Type, int? Index) parsed, int localRank = 0) =>
        parsed.Type == DeviceType.CUDA ? new Device(DeviceType.CUDA, parsed.Index ?? localRank) : Cpu;

    /// <summary>CUDA devices LibTorch can use in this process (0 with the CPU LibTorch, or with no GPU).</summary>
    public static int CudaDeviceCount()
    {
        try
        {
            return cuda.is_available() ? cuda.device_count() : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or NotSupportedException or TypeInitializationException)
        {
            return 0;
        }
    }

    /// <summary>Throws unless <paramref name="device"/> can be used here.</summary>
    /// <exception cref="DeviceException">CUDA was asked for and LibTorch sees no (or too few) CUDA devices; names <paramref name="setting"/>.</exception>
    public static Device Require(Device device, string setting = "device") => Require(device, setting, CudaDeviceCount());

    /// <summary><see cref="Require(Device, string)"/> with the CUDA device count already known (<see cref="CudaDeviceCount"/>).</summary>
    /// <exception cref="DeviceException">CUDA was asked for and <paramref name="cudaDevices"/> does not cover its index.</exception>
    public static Device Require(Device device, string setting, int cudaDevices)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type != DeviceType.CUDA) return device;
        if (cudaDevices == 0)
            throw new DeviceException(setting, $"{device} was asked for, but LibTorch sees no CUDA device in this process. "
                + "Either this machine has no NVIDIA GPU/driver, or the app carries the CPU LibTorch "
                + "(reference TorchSharp-cuda-linux, or point the prem tool at a CUDA LibTorch: README, \"GPU\"); use cpu here");
        if (device.index >= cudaDevices)
            throw new DeviceException(setting, $"{device} was asked for, but only {cudaDevices} CUDA device{(cudaDevices == 1 ? "" : "s")} "
                + $"(cuda:0..cuda:{cudaDevices - 1}) are visible (CUDA_VISIBLE_DEVICES narrows the list)");
        return device;
    }

    /// <summary>
    /// Seeds LibTorch's CPU generator and, when CUDA is present, every CUDA generator
    /// (<c>torch.cuda.manual_seed_all</c>), so initialisation and dropout repeat on any device.
    /// </summary>
    public static void ManualSeed(long seed)
    {
        manual_seed(seed);
        if (CudaDeviceCount() > 0) cuda.manual_seed_all(seed);
    }

    /// <summary>
    /// Waits for the work queued on <paramref name="device"/> (CUDA runs asynchronously: a clock read without this
    /// measures the launch, not the work). Nothing to wait for on the CPU.
    /// </summary>
    public static void Synchronize(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }
}
