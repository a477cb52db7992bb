using Prem.Llm.Cli;

return PremCli.Invoke(args, Console.Out, Console.Error);
