namespace Prem.Llm.Quickstart;

/// <summary>Sizes of the quickstart run; <c>--quick</c> shrinks them for a smoke test.</summary>
public sealed record QuickstartSettings
{
    /// <summary>Where the run writes data, checkpoints and the final model.</summary>
    public string OutputDir { get; init; } = "quickstart-run";
    /// <summary>Pretraining passages.</summary>
    public int Passages { get; init; } = 20000;
    /// <summary>Pretraining optimizer steps.</summary>
    public int PretrainSteps { get; init; } = 600;
    /// <summary>SFT examples.</summary>
    public int SftQuestions { get; init; } = 6000;
    /// <summary>SFT optimizer steps.</summary>
    public int SftSteps { get; init; } = 400;
    /// <summary>DPO pairs.</summary>
    public int DpoPairs { get; init; } = 1000;
    /// <summary>DPO optimizer steps.</summary>
    public int DpoSteps { get; init; } = 100;
    /// <summary>DPO β (larger than the Prem-1B recipe's 0.01: a tiny model and few steps).</summary>
    public double DpoBeta { get; init; } = 0.1;
    /// <summary>Held-out questions for exact-match accuracy.</summary>
    public int HeldOutQuestions { get; init; } = 200;

    /// <summary>Reads <c>--out DIR</c> and <c>--quick</c>.</summary>
    public static QuickstartSettings FromArgs(string[] args)
    {
        var settings = new QuickstartSettings();
        for (int i = 0; i < args.Length; i++)
        {
            settings = args[i] switch
            {
                "--out" when i + 1 < args.Length => settings with { OutputDir = args[++i] },
                "--quick" => settings with { Passages = 2000, PretrainSteps = 60, SftQuestions = 600, SftSteps = 40, DpoPairs = 200, DpoSteps = 10, HeldOutQuestions = 40 },
                _ => throw new ArgumentException($"Unknown argument \"{args[i]}\". Usage: quickstart [--out DIR] [--quick]"),
            };
        }
        return settings;
    }
}
