using BenchmarkDotNet.Running;

if (args is ["train-rss", .. var rest])
    return Prem.Llm.Benchmarks.Training.TrainingRssCheck.Run(rest);
if (args is ["load-rss", .. var loadArgs])
    return Prem.Llm.Benchmarks.Modeling.LoadRssCheck.Run(loadArgs);
if (args is ["load-rss-child", .. var childArgs])
    return Prem.Llm.Benchmarks.Modeling.LoadRssCheck.Child(childArgs);
if (args is ["lora-rss", .. var loraArgs])
    return Prem.Llm.Benchmarks.Training.LoraRssCheck.Run(loraArgs);
if (args is ["lora-rss-child", .. var loraChildArgs])
    return Prem.Llm.Benchmarks.Training.LoraRssCheck.Child(loraChildArgs);
if (args is ["train-profile", .. var profileArgs])
    return Prem.Llm.Benchmarks.Training.TrainingStepProfile.Run(profileArgs);

if (args is ["cpu-decode-smoke", .. var smokeArgs])
    return Prem.Llm.Benchmarks.Generation.CpuDecodeSmoke.Run(smokeArgs);

if (args is ["kernel-smoke"])
    return Prem.Llm.Benchmarks.Generation.KernelSmoke.Run();

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
