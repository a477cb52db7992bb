using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Prem.Llm.Checkpoints;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>
/// Training checkpoints under <c>OUTPUT/checkpoints/step-NNNNNNNN/</c>: <c>model.safetensors</c>
/// (master weights) with <c>config.json</c> and the tokenizer files (so a checkpoint loads as a model folder), <c>optimizer.safetensors</c> (AdamW moments), <c>trainer_state.json</c> (step,
/// epoch, data position, RNG state…). A checkpoint is written into a hidden temporary folder that
/// is renamed into place only when complete, then the <c>latest</c> file is replaced atomically, then
/// the oldest checkpoints beyond the keep limit are deleted; a crash at any point leaves the previous
/// checkpoint intact and <c>latest</c> pointing at a complete one.
/// </summary>
internal sealed class CheckpointStore
{
    private const string Prefix = "step-";
    private const string LatestFile = "latest";
    private const string ModelFile = "model.safetensors";
    private const string OptimizerFile = "optimizer.safetensors";
    private const string StateFile = "trainer_state.json";

    /// <summary>Creates a store in <paramref name="directory"/> keeping the newest <paramref name="keepLast"/> checkpoints.</summary>
    public CheckpointStore(string directory, int keepLast)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keepLast);
        Directory = System.IO.Path.GetFullPath(directory);
        KeepLast = keepLast;
    }

    /// <summary>The checkpoints folder.</summary>
    public string Directory { get; }

    /// <summary>How many checkpoints are kept.</summary>
    public int KeepLast { get; }

    /// <summary>Tokenizer files copied into every checkpoint, so that each one loads as a model folder with its tokenizer.</summary>
    public IReadOnlyList<string> TokenizerFiles { get; init; } = [];

    /// <summary>Called with each file's name after it is written into the temporary folder (tests inject failures here).</summary>
    internal Action<string>? AfterFileWritten { get; set; }

    /// <summary>Complete checkpoint folders, oldest first.</summary>
    public IReadOnlyList<string> List() =>
        !System.IO.Directory.Exists(Directory) ? [] :
        System.IO.Directory.GetDirectories(Directory, Prefix + "*")
            .Where(d => long.TryParse(System.IO.Path.GetFileName(d)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>The folder of the checkpoint of <paramref name="step"/>.</summary>
    public string CheckpointFolder(long step) => System.IO.Path.Combine(Directory, Prefix + step.ToString("D8", CultureInfo.InvariantCulture));

    /// <summary>
    /// Deletes the hidden temporary folders (<c>.step-NNNNNNNN.&lt;guid&gt;.tmp</c>) of saves that a killed process
    /// left behind, and returns their paths. Call it only when no save is running.
    /// </summary>
    public IReadOnlyList<string> RemoveStaleTemporaries()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var stale = System.IO.Directory.GetDirectories(Directory, "." + Prefix + "*.tmp").Order(StringComparer.Ordinal).ToList();
        foreach (var folder in stale) System.IO.Directory.Delete(folder, recursive: true);
        return stale;
    }

    /// <summary>The newest complete checkpoint (as "latest" resolves it), or null when there is none.</summary>
    public string? TryResolveLatest() =>
        File.Exists(System.IO.Path.Combine(Directory, LatestFile)) || List().Count > 0 ? ResolveLatestOrNull() : null;

    /// <summary>Writes a checkpoint for <paramref name="state"/>.Step and returns its folder.</summary>
    public string Save(LlamaForCausalLM model, AdamW optimizer, TrainerState state)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string name = Prefix + state.Step.ToString("D8", CultureInfo.InvariantCulture);
        string final = CheckpointFolder(state.Step);
        string temp = System.IO.Path.Combine(Directory, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(temp);
            SafeTensorsCheckpoint.Save(temp, model.state_dict());
            AfterFileWritten?.Invoke(ModelFile);
            var moments = optimizer.StateTensors().ToList();
            SafeTensorsWriter.Write(System.IO.Path.Combine(temp, OptimizerFile), optimizer.StateTensors());
            AfterFileWritten?.Invoke(OptimizerFile);
            var json = JsonSerializer.Serialize(state, new JsonSerializerOptions { WriteIndented = true });
            AtomicFile.Write(System.IO.Path.Combine(temp, StateFile), s => s.Write(System.Text.Encoding.UTF8.GetBytes(json)));
            AfterFileWritten?.Invoke(StateFile);
            // config.json and the tokenizer make the checkpoint an HF model folder (FromPretrained, prem generate).
            LlamaConfigJson.Save(model.Config with { TorchDtype = LlamaConfigJson.DtypeName(model.Dtype) }, System.IO.Path.Combine(temp, "config.json"));
            if (model.GenerationConfig is { } generation) GenerationConfigJson.Save(generation, System.IO.Path.Combine(temp, GenerationConfig.FileName));
            foreach (var file in TokenizerFiles) File.Copy(file, System.IO.Path.Combine(temp, System.IO.Path.GetFileName(file)), overwrite: true);
            if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, recursive: true);
            System.IO.Directory.Move(temp, final);
        }
        catch
        {
            if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
            throw;
        }
        AtomicFile.Write(System.IO.Path.Combine(Directory, LatestFile), s => s.Write(System.Text.Encoding.UTF8.GetBytes(name)));
        foreach (var old in List().SkipLast(KeepLast)) System.IO.Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>
    /// The checkpoint folder <paramref name="resumeFrom"/> names: "latest" (the store's newest complete
    /// checkpoint) or a folder path.
    /// </summary>
    public string Resolve(string resumeFrom)
    {
        if (resumeFrom != "latest")
        {
            if (!File.Exists(System.IO.Path.Combine(resumeFrom, StateFile)))
                throw new TrainingException($"not a training checkpoint (no {StateFile})", resumeFrom);
            return resumeFrom;
        }
        return ResolveLatestOrNull() ?? throw new TrainingException("no checkpoint to resume from", Directory);
    }

    private string? ResolveLatestOrNull()
    {
        var latest = System.IO.Path.Combine(Directory, LatestFile);
        if (File.Exists(latest))
        {
            var folder = System.IO.Path.Combine(Directory, File.ReadAllText(latest).Trim());
            if (File.Exists(System.IO.Path.Combine(folder, StateFile))) return folder;
        }
        // The pointer is missing or stale (crash between rename and pointer update): take the newest complete folder.
        return List().LastOrDefault(d => File.Exists(System.IO.Path.Combine(d, StateFile)));
    }

    /// <summary>Loads weights and optimizer state from <paramref name="folder"/> and returns the loop state.</summary>
    public static TrainerState Load(string folder, LlamaForCausalLM model, AdamW optimizer)
    {
        var statePath = System.IO.Path.Combine(folder, StateFile);
        TrainerState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(statePath))
                ?? throw new TrainingException("empty trainer state", statePath);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new TrainingException($"cannot read the trainer state: {e.Message}", statePath, e);
        }
        using (var weights = SafeTensorsCheckpoint.Open(folder))
        using (var noGrad = no_grad())
        {
            foreach (var (name, p) in model.state_dict())
            {
                if (!weights.Contains(name)) throw new TrainingException($"the checkpoint has no tensor '{name}'", folder);
                weights.ReadInto(name, p);
            }
        }
        var optimizerPath = System.IO.Path.Combine(folder, OptimizerFile);
        if (File.Exists(optimizerPath))
        {
            using var file = SafeTensorsFile.Open(optimizerPath);
            optimizer.LoadState(state.OptimizerSteps, key => file.Contains(key) ? file.Read(key) : null);
        }
        else optimizer.LoadState(state.OptimizerSteps, _ => null);
        return state;
    }
}
