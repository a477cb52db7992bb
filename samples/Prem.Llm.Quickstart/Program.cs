// Prem.Llm quickstart: the Prem-1B recipe in miniature, on data this program generates.
//   1. pretrain a tiny Llama on passages about made-up people,
//   2. fine-tune it to answer questions from a given context (Llama-3 chat template, assistant-only loss),
//   3. align it with DPO (chosen = the right answer, rejected = a fact about someone else in the passage),
//   4. chat with it.
// Exact-match accuracy on held-out questions is printed after each stage, and every stage prints its
// progress with an ETA. Runs on 2 CPU cores: 3 minutes on an idle machine with AVX512-BF16, up to 12 on a busy one;
// about 10 on an idle one without (it trains in float32 there).
using System.Diagnostics;
using System.Text.Json;
using Prem.Llm.Data;
using Prem.Llm.Generation;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Quickstart;
using Prem.Llm.Text;
using Prem.Llm.Training;
using Prem.Llm.Data.Prepare;

var settings = QuickstartSettings.FromArgs(args);
var clock = Stopwatch.StartNew();
string run = Path.GetFullPath(settings.OutputDir);
Directory.CreateDirectory(run);
var tokenizer = TokenizerLoader.Load(Path.Combine(AppContext.BaseDirectory, "Tokenizer"));
var heldOut = QuickstartData.Questions(settings.HeldOutQuestions, seed: 999);
var evaluator = new ReadingEvaluator(tokenizer, heldOut);
var report = new Dictionary<string, double>();
var progress = new StageProgress(clock, stages: 9);
Console.WriteLine("The quickstart runs 9 stages; on 2 CPU cores it takes about 3 minutes on an idle machine and up to 12 on a busy one.");
// The Prem-1B recipe trains in bf16-mixed; a CPU without bf16 arithmetic emulates it many times slower than float32.
var precision = PrecisionOptions.HasNativeBf16(TorchSharp.torch.CPU) ? TrainingPrecision.Bf16Mixed : TrainingPrecision.Float32;
if (precision == TrainingPrecision.Float32) Console.WriteLine("This CPU has no AVX512-BF16: training in float32 (bf16-mixed would be emulated, several times slower); about 10 minutes on 2 idle cores.");
void Evaluate(string stage, Func<Action<int>, double> accuracyOf)
{
    progress.Start($"eval {stage}", heldOut.Count, "held-out questions");
    double accuracy = accuracyOf(done => progress.Report(done, "questions"));
    report[stage] = accuracy;
    progress.End($"exact match {accuracy:P0} on {heldOut.Count} held-out questions");
    foreach (var (question, expected, given) in evaluator.Mistakes)
        Console.WriteLine($"        e.g. \"{question}\" expected \"{expected}\", got \"{given}\"");
}

// 1. Pretraining: passages → token shards (the corpus pipeline) → packed 128-token rows.
progress.Start("prepare data", settings.Passages, "passages");
string corpus = Path.Combine(run, "pretrain.jsonl");
File.WriteAllLines(corpus, QuickstartData.Passages(settings.Passages, seed: 1).Select(p => JsonSerializer.Serialize(new { text = p })));
var prepared = new CorpusPreparer(tokenizer, new PrepareOptions
{
    Input = corpus, Output = Path.Combine(run, "shards"), TokenizerHash = "quickstart", SeqLen = 128, Workers = 2,
}).Run();
progress.End($"prepared {prepared.ToJson()}");

var config = new LlamaConfig
{
    HiddenSize = 128, IntermediateSize = 352, NumHiddenLayers = 4, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 32,
    VocabSize = tokenizer.VocabSize, MaxPositionEmbeddings = 512, TieWordEmbeddings = true,
    BosTokenId = tokenizer.BosId, EosTokenIds = evaluator.ChatStops, PadTokenId = tokenizer.PadId,
};
var model = new LlamaForCausalLM(config, seed: 1);
using var shards = new PackedTokenDataset(Path.Combine(run, "shards"));
var pretrain = Train(model, new CausalLmObjective(),
    new BatchLoader<PackedWindow, CausalLmBatch>(new PackedWindows(shards), new PackedWindowCollator(), new BatchLoaderOptions { BatchSize = 16 }),
    settings.PretrainSteps, learningRate: 3e-3, "pretrain");
Evaluate("base model (after pretraining)", p => evaluator.PlainAccuracy(model, p));

// 2. SFT: context + question in the user turn, the answer (and <|eot_id|>) trained.
string sftPath = Path.Combine(run, "sft.jsonl");
File.WriteAllLines(sftPath, QuickstartData.Questions(settings.SftQuestions, seed: 2).Select(q => JsonSerializer.Serialize(new
{
    messages = new[]
    {
        new { role = "system", content = QuickstartData.SystemPrompt },
        new { role = "user", content = QuickstartData.UserMessage(q) },
        new { role = "assistant", content = q.Answer },
    },
})));
var sft = SftDataset.Load(sftPath, tokenizer, new SftOptions { MaxSeqLength = 256 });
Train(model, new CausalLmObjective(),
    new BatchLoader<SftExample, CausalLmBatch>(sft.Rows, new SftCollator(sft.PadId), new BatchLoaderOptions { BatchSize = 16 }),
    settings.SftSteps, learningRate: 1e-3, "sft");
Evaluate("after SFT", p => evaluator.ChatAccuracy(model, p));

// 3. DPO: the SFT model is the reference; its log-probs are computed once and cached on disk, so no
//    second model is held while training.
string dpoPath = Path.Combine(run, "dpo.jsonl");
File.WriteAllLines(dpoPath, QuickstartData.Questions(settings.DpoPairs, seed: 3).Select(q => JsonSerializer.Serialize(new
{
    prompt = new[] { new { role = "system", content = QuickstartData.SystemPrompt }, new { role = "user", content = QuickstartData.UserMessage(q) } },
    chosen = q.Answer,
    rejected = q.Distractor,
})));
var pairs = PreferenceDataset.Load(dpoPath, tokenizer, new PreferenceOptions { MaxLength = 256, MaxPromptLength = 224 });
var dpoSource = new BatchLoader<PreferenceExample, PreferenceBatch>(pairs.Examples, new PreferenceCollator(pairs.PadId), new BatchLoaderOptions { BatchSize = 8 });
int referenceBatches = (pairs.Examples.Count + 7) / 8;
progress.Start("DPO reference log-probs", referenceBatches, "batches");
var reference = CachedReferenceLogProbs.Precompute(model, Counted(EpochBatches(dpoSource), done => progress.Report(done, "batches")),
    Path.Combine(run, "reference-logps.bin"));
progress.End();
Train(model, new DpoObjective(reference, beta: settings.DpoBeta), dpoSource, settings.DpoSteps, learningRate: 2e-5, "dpo");
Evaluate("after DPO", p => evaluator.ChatAccuracy(model, p));

model.SavePretrained(Path.Combine(run, "model"));
foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Tokenizer")))
    File.Copy(file, Path.Combine(run, "model", Path.GetFileName(file)), overwrite: true);

// 4. Chat: a few held-out questions, streamed token by token.
var generator = new TextGenerator(model);
var chatQuestions = heldOut.Take(3).ToList();
progress.Start("chat", chatQuestions.Count, "questions");
foreach (var q in chatQuestions)
{
    Console.Write($"\nuser: {QuickstartData.UserMessage(q).Replace("\n", "\n      ")}\nassistant: ");
    var decoder = tokenizer.CreateStreamingDecoder();
    await foreach (int id in generator.GenerateStreaming(evaluator.ChatPrompt(q), new SamplingOptions { MaxNewTokens = 24, StopTokenIds = evaluator.ChatStops }))
        Console.Write(decoder.Push(id));
    Console.WriteLine($"{decoder.Flush()}   (expected: {q.Answer})");
}
progress.End();

Console.WriteLine($"\n[{clock.Elapsed:mm\\:ss}] done. Model and tokenizer: {Path.Combine(run, "model")}");
File.WriteAllText(Path.Combine(run, "accuracy.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
bool improved = report["after SFT"] > report["base model (after pretraining)"] && report["after DPO"] >= report["after SFT"] - 0.05;
bool learned = pretrain.Losses.Count > 1 && pretrain.Losses[^1] < pretrain.Losses[0];
return improved && learned ? 0 : 1;

TrainingResult Train(LlamaForCausalLM m, IObjective objective, IBatchSource source, int steps, double learningRate, string name)
{
    var options = new TrainerOptions
    {
        Optimizer = new() { LearningRate = learningRate },
        Schedule = new() { MinLearningRate = learningRate / 10, WarmupFraction = 0.1, MaxSteps = steps },
        Precision = new() { Mode = precision },
        Checkpoint = new() { OutputDir = Path.Combine(run, name), ExportFinalModel = false },
        AccumulationSteps = 1, LogEveryNSteps = Math.Max(1, steps / 10), Seed = 7,
    };
    using var trainer = new Trainer(m, objective, source, options);
    progress.Start(name, steps, "steps");
    var result = trainer.Run(new InlineProgress<TrainingUpdate>(u =>
    {
        if (u.Kind == TrainingUpdateKind.Step) progress.Report((int)u.Step, $"steps, loss {u.Loss:F3}");
    }));
    progress.End(result.Losses.Count > 0 ? $"loss {result.Losses[0]:F3} → {result.Losses[^1]:F3}" : null);
    return result;
}

static IEnumerable<T> Counted<T>(IEnumerable<T> items, Action<int> report)
{
    int done = 0;
    foreach (var item in items)
    {
        yield return item;
        report(++done);
    }
}

static IEnumerable<PreferenceBatch> EpochBatches(BatchLoader<PreferenceExample, PreferenceBatch> source)
{
    source.StartEpoch(0, 7);
    while (source.Next() is { } batch) yield return batch;
}
