using System.Diagnostics;
using System.Text.Json;
using Prem.Llm.Text.Templates;

namespace Prem.Llm.Tests.Text.Templates;

/// <summary>
/// Renders mutated chat templates (the golden folders' templates and a statement-rich sample) with a
/// multi-turn conversation and checks the sandbox's promises: each input gives an output or a
/// <see cref="TemplateException"/>, never another exception; managed allocation and time per input stay
/// bounded; a hang is caught by a watchdog that ends the process. Input i depends only on (seed, i).
/// Run by <c>TemplateFuzzerTests</c> (a CI sample) and by the <c>tests/Prem.Llm.Fuzz</c> console.
/// </summary>
public sealed class TemplateFuzzer(int seed)
{
    /// <summary>The limits fuzzed templates render under.</summary>
    public static TemplateLimits Limits { get; } = new() { MaxOutputLength = 1 << 20, MaxLoopIterations = 200_000, MaxRecursionDepth = 50 };

    /// <summary>Inputs slower than this fail the run.</summary>
    public TimeSpan PerInputLimit { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>An input still running after this is a hang.</summary>
    public TimeSpan HangLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Managed bytes one input may allocate.</summary>
    public const long AllocationBound = 200_000_000;

    /// <summary>The outcome of a run.</summary>
    public sealed record Report(int Inputs, int Rendered, int Rejected, TimeSpan Elapsed, TimeSpan Slowest, long MaxAllocatedBytes, IReadOnlyList<string> Failures);

    static readonly string _sample = """
        {%- set ns = namespace(n=0, s='') -%}
        {%- macro turn(m, i) -%}[{{ i }}:{{ m.role | upper }}] {{ m.content | trim | replace('\n', ' ') }}{%- endmacro -%}
        {%- for m in messages if m.role != 'tool' -%}
          {%- set ns.n = ns.n + 1 -%}{%- if loop.first %}{{ bos_token }}{% endif -%}
          {{ turn(m, loop.index) }}{{ '\n' if not loop.last else '' }}
          {%- if m.content.startswith('W') %}{% continue %}{% endif -%}
          {%- set ns.s = ns.s ~ m.content.split(' ')[0][::-1] -%}
        {%- else -%}none{%- endfor -%}
        {{ {'n': ns.n, 's': ns.s, 'r': [1, 2.5, none, true]} | tojson(indent=2) }}
        {%- if add_generation_prompt %}{% generation %}<assistant>{% endgeneration %}{% endif -%}
        {%- for x in range(3) recursive %}{% if loop.depth < 3 %}{{ loop([x]) }}{% endif %}{% endfor -%}
        """;

    static readonly Lazy<string[]> _seeds = new(() =>
        [.. new[] { "llama3", "llama3_1", "qwen3", "deepseek_v3", "gemma3" }.Select(TemplateSource), _sample]);

    static string TemplateSource(string folder)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(TestData.Path("hf", "tokenizers", folder, "tokenizer_config.json")));
        return config.RootElement.GetProperty("chat_template").GetString()!;
    }

    static readonly Lazy<Dictionary<string, object?>> _variables = new(() => new Dictionary<string, object?>
    {
        ["messages"] = JsonDocument.Parse("""
            [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"},
             {"role": "assistant", "content": "<think>add</think>\n\n4"}, {"role": "user", "content": "Why?"}]
            """).RootElement,
        ["add_generation_prompt"] = true,
        ["bos_token"] = "<s>",
        ["eos_token"] = "</s>",
        ["tools"] = null,
    });

    /// <summary>Runs inputs <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> - 1.</summary>
    public Report Run(int count, int first = 0, Action<string>? progress = null)
    {
        var failures = new List<string>();
        int rendered = 0, rejected = 0;
        long maxAllocated = 0;
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        int current = -1;
        string currentInput = "";
        var started = Stopwatch.StartNew();
        using var watchdog = new Timer(_ =>
        {
            if (Volatile.Read(ref current) >= 0 && started.Elapsed > HangLimit)
                Environment.FailFast($"template fuzz input {current} (seed {seed}) hung for {started.Elapsed}:\n{currentInput}");
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        for (int i = first; i < first + count; i++)
        {
            var random = new Random(FuzzSeed.For(seed, i));
            string original = _seeds.Value[random.Next(_seeds.Value.Length)];
            string input = TemplateMutator.Mutate(original, random, out string how);
            currentInput = input;
            started.Restart();
            Volatile.Write(ref current, i);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                JinjaTemplate.Parse(input, Limits).Render(_variables.Value, new DateTime(2026, 1, 15));
                rendered++;
            }
            catch (TemplateException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                failures.Add($"input {i} ({how}): {e.GetType().Name}: {e.Message}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            var elapsed = started.Elapsed;
            Volatile.Write(ref current, -1);
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (elapsed > slowest) slowest = elapsed;
            if (allocated > AllocationBound) failures.Add($"input {i} ({how}): allocated {allocated} bytes");
            if (elapsed > PerInputLimit) failures.Add($"input {i} ({how}): took {elapsed.TotalMilliseconds:F0} ms");
            if (progress is not null && (i - first + 1) % 10_000 == 0)
                progress($"{i - first + 1} inputs, {rendered} rendered, {rejected} rejected, {failures.Count} failures, {total.Elapsed.TotalSeconds:F0} s");
        }
        return new Report(count, rendered, rejected, total.Elapsed, slowest, maxAllocated, failures);
    }
}
