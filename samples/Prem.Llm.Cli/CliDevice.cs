using System.CommandLine;
using Prem.Llm.Devices;
using static TorchSharp.torch;

namespace Prem.Llm.Cli;

/// <summary>The <c>--device</c> option of the commands that run a model, and its one error path.</summary>
public static class CliDevice
{
    /// <summary>A new <c>--device</c> option (cpu, cuda, cuda:N); absent means the command's default.</summary>
    public static Option<string?> Option(string defaultNote) => new("--device")
    {
        Description = $"cpu, cuda (this rank's GPU) or cuda:N; {defaultNote}. CUDA needs a CUDA LibTorch (README, \"GPU\")",
    };

    /// <summary>The device <paramref name="text"/> names (the CPU when null), checked to exist here.</summary>
    /// <exception cref="CliError">A bad spelling, or CUDA where LibTorch sees no GPU.</exception>
    public static Device Resolve(string? text, int localRank = 0)
    {
        if (text is null) return ComputeDevice.Cpu;
        try
        {
            return ComputeDevice.Require(ComputeDevice.ForLocalRank(ComputeDevice.Parse(text, "--device"), localRank), "--device");
        }
        catch (DeviceException e)
        {
            throw new CliError(e.Message);
        }
    }
}
