using Prem.Llm.Distributed;
using Prem.Llm.MpiHost;
using Prem.Llm.Distributed.Mpi;
using TorchSharp;

// One rank of a distributed test or benchmark. Exit codes: 0 ok, 1 a DistributedException or TrainingException (its
// message on stderr), 3 the deliberate early exit of the failure test.
var options = new HostArgs(args);
torch.set_num_threads(options.Int("threads", 1));
var launcher = RankInfo.FromEnvironment();
var timeout = TimeSpan.FromSeconds(options.Double("timeout", 60));
ICommunicator? communicator = null;
try
{
    communicator = launcher.Launcher == LauncherKind.None && options.Get("backend", "mpi") == "single"
        ? new SingleProcessCommunicator()
        : MpiCommunicator.Create(timeout, launcher);
    int expected = options.Int("expect-world", 0);
    if (expected > 0 && expected != communicator.Size)
        throw new DistributedException(communicator.Rank, communicator.Size,
            $"the job was configured for {expected} ranks but was launched with {communicator.Size}.");
    string fail = options.Get("fail", "");
    if (fail == "exit-early" && communicator.Rank == 1)
    {
        Console.Error.WriteLine($"rank 1/{communicator.Size}: exiting early on purpose (failure test)");
        Environment.Exit(3);
    }
    if (fail == "hang" && communicator.Rank == 1) Thread.Sleep(TimeSpan.FromMinutes(2));

    string output = options.Get("out", ".");
    Directory.CreateDirectory(output);
    switch (options.Mode)
    {
        case "allreduce": CollectiveCheck.Run(communicator, output); break;
        case "train": TinyTraining.Run(communicator, options, output); break;
        case "trainer": TrainerRun.Run(communicator, options, output); break;
        case "reference-cache": ReferenceCache.Run(communicator, options, output); break;
        case "bench-trainer": TrainerOverhead.Run(communicator, options, output); break;
        case "bench-allreduce": AllReduceBandwidth.Run(communicator, options, output); break;
        case "bench-step": StepOverhead.Run(communicator, options, output); break;
        case "memory-step": MemoryStep.Run(communicator, options, output); break;
        default: throw new ArgumentException($"unknown mode '{options.Mode}'");
    }
    communicator.Dispose();
    return 0;
}
catch (Exception e) when (e is DistributedException or Prem.Llm.Training.TrainingException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.Flush();
    // A rank that cannot go on must take the others down with it, or they wait in the next collective.
    if (communicator is MpiCommunicator { Size: > 1 } mpi) mpi.Abort(1);
    communicator?.Dispose();
    return 1;
}
