using TorchSharp;

namespace Prem.Llm.Devices;

/// <summary>
/// Runs TorchSharp on a LibTorch the user already has — a CUDA LibTorch download, or PyTorch's
/// <c>site-packages/torch/lib</c> — instead of the one an application ships: set <see cref="Variable"/>
/// (<c>PREM_LIBTORCH</c>) to that folder, or call <see cref="Use"/> before the first TorchSharp call. The folder's
/// libraries are loaded by full path and, when it has <c>libtorch_cuda.so</c>, TorchSharp's CUDA backend is
/// initialised at once. The application must not also carry a CPU LibTorch (<c>libtorch_cpu.so</c> next to it):
/// TorchSharp's probing would load that second copy. The prem tool built with <c>-p:PremLibTorch=external</c>
/// carries none (README, "GPU").
/// </summary>
public static class LibTorchLocation
{
    /// <summary>The environment variable naming the folder: <c>PREM_LIBTORCH</c>.</summary>
    public const string Variable = "PREM_LIBTORCH";

    /// <summary>Uses the folder <see cref="Variable"/> names; nothing when it is unset or empty.</summary>
    /// <returns>What was loaded, or null when the variable is unset.</returns>
    /// <exception cref="DeviceException">The folder is missing or its libraries do not load (named with the variable).</exception>
    public static string? FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } folder ? Use(folder, Variable) : null;

    /// <summary>Loads LibTorch from <paramref name="folder"/> and initialises CUDA when it is a CUDA build.</summary>
    /// <param name="folder">A folder holding libtorch.so, libtorch_cpu.so, libc10.so (and libtorch_cuda.so for CUDA).</param>
    /// <param name="setting">How the folder was given, for errors.</param>
    /// <returns>One line saying which libraries were loaded and whether CUDA is available.</returns>
    /// <exception cref="DeviceException">The folder is missing, has no libtorch_cpu.so, or a library does not load.</exception>
    public static string Use(string folder, string setting = Variable)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!File.Exists(Path.Combine(folder, "libtorch_cpu.so")))
            throw new DeviceException(setting, $"{folder} has no libtorch_cpu.so (expected a LibTorch lib folder, e.g. PyTorch's site-packages/torch/lib)");
        List<string> loaded;
        try
        {
            loaded = Native.LibTorchPreload.Load(folder);
        }
        catch (DllNotFoundException e)
        {
            throw new DeviceException(setting, $"loading LibTorch from {folder} failed: {e.Message}");
        }
        bool cudaBuild = loaded.Contains("libtorch_cuda.so");
        bool cuda;
        try
        {
            cuda = torch.TryInitializeDeviceType(cudaBuild ? DeviceType.CUDA : DeviceType.CPU) && cudaBuild;
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            throw new DeviceException(setting, $"TorchSharp did not start on the LibTorch in {folder}: {e.Message}");
        }
        return $"LibTorch from {folder}: {string.Join(", ", loaded)}; CUDA {(cuda ? $"available ({torch.cuda.device_count()} device(s))" : cudaBuild ? "not available (no GPU or driver?)" : "not in this build")}";
    }
}
