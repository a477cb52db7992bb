using BenchmarkDotNet.Running;

if (args is ["train-rss", .. var rest])
    return Prem.Llm.Benchmarks.Training.TrainingRssCheck.Run(rest);
if (args is ["train-profile", .. var profileArgs])
    return Prem.Llm.Benchmarks.Training.TrainingStepProfile.Run(profileArgs);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
