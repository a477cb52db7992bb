using System.Diagnostics;
using System.Globalization;
using Prem.Llm.AI;
using Prem.Llm.Load;
using Prem.Llm.Server;

// Bounded load test of the OpenAI-compatible server: loopback only, a fixed number of requests per level, a
// hard time limit, seeded prompts, greedy decoding. Levels: 1, 4 and 16 concurrent clients on the batched
// server, then 16 clients on a server that decodes one request at a time (the serial baseline). Exits 1 on
// any failed request, on the time limit, or when the process's RSS grows past --max-rss-growth-mb.
var options = new Dictionary<string, string>
{
    ["--shape"] = "stories260K", ["--requests"] = "32", ["--max-tokens"] = "32", ["--clients"] = "1,4,16",
    ["--time-limit"] = "120", ["--seed"] = "1", ["--max-rss-growth-mb"] = "512", ["--weights"] = "as-loaded",
};
for (int a = 0; a < args.Length; a++)
{
    if (!options.ContainsKey(args[a]) || a + 1 >= args.Length)
    {
        Console.Error.WriteLine($"usage: Prem.Llm.Load [{string.Join("] [", options.Select(o => $"{o.Key} {o.Value}"))}]  (shapes: {string.Join(", ", LoadModel.Shapes)})");
        return 2;
    }
    options[args[a]] = args[++a];
}
int Int(string name) => int.Parse(options[name], CultureInfo.InvariantCulture);
int requests = Int("--requests"), maxTokens = Int("--max-tokens"), seed = Int("--seed");
int[] levels = [.. options["--clients"].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))];
int widest = levels.Max();

using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(Int("--time-limit")));
string root = Path.Combine(Path.GetTempPath(), "prem-load-" + Guid.NewGuid().ToString("N"));
try
{
    string folder = LoadModel.Build(options["--shape"], root);
    var weights = options["--weights"] switch
    {
        "as-loaded" => Prem.Llm.Generation.CpuWeights.AsLoaded,
        "int8" => Prem.Llm.Generation.CpuWeights.Int8,
        var w => throw new ArgumentException($"--weights: expected as-loaded or int8, got '{w}'."),
    };
    using var model = ChatModel.Load(folder, new ChatModelOptions { CpuWeights = weights });
    Console.WriteLine($"load: {options["--shape"]} {options["--weights"]} ({model.Model.Config.HiddenSize} hidden, {model.Model.Config.NumHiddenLayers} layers), {requests} requests per level, " +
        $"{maxTokens} tokens each, greedy, seed {seed}, {Environment.ProcessorCount} cores, time limit {options["--time-limit"]} s");

    var results = new List<LevelResult>();
    long rssBefore = 0;
    async Task Level(string name, int maxConcurrent, int clients)
    {
        await using var server = await PremServer.StartAsync(model, new PremServerOptions
        {
            Urls = ["http://127.0.0.1:0"], MaxConcurrentRequests = maxConcurrent, MaxQueueLength = Math.Max(64, requests),
        }, limit.Token);
        var uri = new Uri(server.Urls[0].TrimEnd('/') + "/");
        // One warm-up request per server (thread pool, JIT, engine buffers) before the clock starts.
        var warm = await LoadClient.RunAsync("warm-up", uri, model.Name, 1, 1, 4, seed, limit.Token);
        if (warm.Failed > 0) throw new InvalidOperationException("the warm-up request failed");
        if (rssBefore == 0) rssBefore = Rss();
        var result = await LoadClient.RunAsync(name, uri, model.Name, clients, requests, maxTokens, seed, limit.Token);
        results.Add(result);
        Console.WriteLine($"load: {name}: {clients} clients, {result.TokensPerSecond:F1} tok/s, p50 {LevelResult.Percentile(result.LatencyMs, 50):F0} ms, failed {result.Failed}");
    }

    foreach (int clients in levels) await Level($"batched ({widest} slots)", widest, clients);
    await Level("serial (1 slot)", 1, widest);
    GC.Collect();
    GC.WaitForPendingFinalizers();
    long rssAfter = Rss();

    Console.WriteLine();
    Console.WriteLine(LevelResult.Header);
    foreach (var r in results) Console.WriteLine(r.Row());
    var batchedWidest = results.First(r => r.Clients == widest);
    double gain = batchedWidest.TokensPerSecond / results[^1].TokensPerSecond;
    Console.WriteLine();
    Console.WriteLine($"batching gain at {widest} clients: {gain:F2}x tok/s over serial");
    Console.WriteLine($"RSS: {rssBefore / 1048576.0:F0} MiB after warm-up, {rssAfter / 1048576.0:F0} MiB at the end ({(rssAfter - rssBefore) / 1048576.0:+0;-0} MiB)");

    int failed = results.Sum(r => r.Failed);
    if (failed > 0)
    {
        Console.Error.WriteLine($"load: FAILED: {failed} requests failed or were dropped");
        return 1;
    }
    if (rssAfter - rssBefore > Int("--max-rss-growth-mb") * 1048576L)
    {
        Console.Error.WriteLine($"load: FAILED: RSS grew by more than {options["--max-rss-growth-mb"]} MiB");
        return 1;
    }
    Console.WriteLine("load: ok: nothing dropped");
    return 0;
}
catch (OperationCanceledException) when (limit.IsCancellationRequested)
{
    Console.Error.WriteLine($"load: FAILED: the time limit of {options["--time-limit"]} s was reached");
    return 1;
}
finally
{
    try { Directory.Delete(root, recursive: true); } catch (IOException) { }
}

static long Rss()
{
    using var self = Process.GetCurrentProcess();
    return self.WorkingSet64;
}
