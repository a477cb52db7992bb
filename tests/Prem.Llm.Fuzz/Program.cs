using Prem.Llm.Tests.Checkpoints;
using Prem.Llm.Tests.Text.Templates;

// Usage: safetensors|tokenizer-json|templates|gguf [inputs = 100000] [seed = 1] [first input = 0]
if (args.Length == 0 || args[0] is not ("safetensors" or "tokenizer-json" or "templates" or "gguf"))
{
    Console.Error.WriteLine("usage: Prem.Llm.Fuzz safetensors|tokenizer-json|templates|gguf [inputs] [seed] [first]");
    return 2;
}
if (args[0] == "gguf")
{
    int n = args.Length > 1 ? int.Parse(args[1]) : 100_000, s = args.Length > 2 ? int.Parse(args[2]) : 1, f = args.Length > 3 ? int.Parse(args[3]) : 0;
    var dir = Path.Combine(Path.GetTempPath(), "prem-fuzz-gguf", $"{s}-{Environment.ProcessId}");
    Console.WriteLine($"fuzzing the GGUF reader: {n} inputs from {f}, seed {s}, work folder {dir}");
    var r = new Prem.Llm.Tests.Gguf.GgufFuzzer(dir, s).Run(n, f, Console.WriteLine);
    Console.WriteLine($"inputs {r.Inputs}, accepted {r.Accepted}, rejected {r.Rejected}, failures {r.Failures.Count}");
    Console.WriteLine($"elapsed {r.Elapsed.TotalSeconds:F1} s, slowest input {r.Slowest.TotalMilliseconds:F1} ms, max managed allocation {r.MaxAllocatedBytes} bytes");
    foreach (var failure in r.Failures.Take(50)) Console.WriteLine("FAIL " + failure);
    if (r.Failures.Count == 0) Directory.Delete(dir, recursive: true);
    return r.Failures.Count > 0 ? 1 : 0;
}
if (args[0] == "tokenizer-json")
{
    int n = args.Length > 1 ? int.Parse(args[1]) : 100_000, s = args.Length > 2 ? int.Parse(args[2]) : 1, from = args.Length > 3 ? int.Parse(args[3]) : 0;
    Console.WriteLine($"fuzzing tokenizer.json loading: {n} inputs from {from}, seed {s}");
    var r = new Prem.Llm.Tests.Text.HfTokenizerFuzzer(s).Run(n, from, Console.WriteLine);
    Console.WriteLine($"inputs {r.Inputs}, accepted {r.Accepted}, rejected {r.Rejected}, failures {r.Failures.Count}, "
        + $"elapsed {r.Elapsed.TotalSeconds:F1} s, slowest input {r.Slowest.TotalMilliseconds:F1} ms");
    foreach (var failure in r.Failures.Take(50)) Console.WriteLine("FAIL " + failure);
    return r.Failures.Count > 0 ? 1 : 0;
}
if (args[0] == "templates")
{
    int n = args.Length > 1 ? int.Parse(args[1]) : 100_000, s = args.Length > 2 ? int.Parse(args[2]) : 1, f = args.Length > 3 ? int.Parse(args[3]) : 0;
    Console.WriteLine($"fuzzing chat templates: {n} inputs from {f}, seed {s}");
    var r = new TemplateFuzzer(s).Run(n, f, Console.WriteLine);
    Console.WriteLine($"inputs {r.Inputs}, rendered {r.Rendered}, rejected {r.Rejected}, failures {r.Failures.Count}");
    Console.WriteLine($"elapsed {r.Elapsed.TotalSeconds:F1} s, slowest input {r.Slowest.TotalMilliseconds:F1} ms, max managed allocation {r.MaxAllocatedBytes} bytes");
    foreach (var failure in r.Failures.Take(50)) Console.WriteLine("FAIL " + failure);
    return r.Failures.Count > 0 ? 1 : 0;
}
var count = args.Length > 1 ? int.Parse(args[1]) : 100_000;
var seed = args.Length > 2 ? int.Parse(args[2]) : 1;
var first = args.Length > 3 ? int.Parse(args[3]) : 0;
var work = Path.Combine(Path.GetTempPath(), "prem-fuzz-safetensors", $"{seed}-{Environment.ProcessId}");
Console.WriteLine($"fuzzing safetensors readers: {count} inputs from {first}, seed {seed}, work folder {work}");

var report = new SafeTensorsFuzzer(work, seed).Run(count, first, Console.WriteLine);
Console.WriteLine($"inputs {report.Inputs}, accepted {report.Accepted}, rejected {report.Rejected}, failures {report.Failures.Count}");
Console.WriteLine($"elapsed {report.Elapsed.TotalSeconds:F1} s ({report.Inputs / report.Elapsed.TotalSeconds:F0} inputs/s), " +
    $"slowest input {report.Slowest.TotalMilliseconds:F1} ms, max managed allocation {report.MaxAllocatedBytes} bytes");
Console.WriteLine("rejections by check:");
foreach (var (kind, n) in report.RejectionKinds.OrderByDescending(kv => kv.Value))
{
    Console.WriteLine($"  {n,8}  {kind}");
}
foreach (var failure in report.Failures.Take(50))
{
    Console.WriteLine("FAIL " + failure);
}
if (report.Failures.Count > 0)
{
    return 1;
}
Directory.Delete(work, recursive: true);
return 0;
