namespace Prem.Llm.Devices;

/// <summary>A device setting that cannot be used here: a bad spelling, or CUDA where LibTorch sees no GPU.</summary>
public sealed class DeviceException : Exception
{
    /// <summary>Creates the exception; the message starts with the setting's name.</summary>
    /// <param name="setting">The setting that asked for the device (<c>trainer.accelerator</c>, <c>--device</c>).</param>
    /// <param name="message">What is wrong and what to do.</param>
    public DeviceException(string setting, string message) : base($"{setting}: {message}") => Setting = setting;

    /// <summary>The setting that asked for the device.</summary>
    public string Setting { get; }
}
