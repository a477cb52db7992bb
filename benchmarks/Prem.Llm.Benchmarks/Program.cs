using BenchmarkDotNet.Running;

if (args is ["train-rss", .. var rest])
    return Prem.Llm.Benchmarks.Training.TrainingRssCheck.Run(rest);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
