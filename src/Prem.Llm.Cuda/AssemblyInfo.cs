[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Prem.Llm.Cuda.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Prem.Llm.Cuda.Harness")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Prem.Llm.Benchmarks")]
