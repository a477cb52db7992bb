using Prem.Llm.Cli;
using Prem.Llm.Devices;

// PREM_LIBTORCH: run on the user's LibTorch (e.g. a CUDA one); loaded before anything touches TorchSharp.
try
{
    LibTorchLocation.FromEnvironment();
}
catch (DeviceException e)
{
    Console.Error.WriteLine($"prem: error: {e.Message}");
    return 1;
}
return PremCli.Invoke(args, Console.Out, Console.Error);
