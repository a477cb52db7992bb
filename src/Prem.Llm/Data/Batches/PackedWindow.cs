namespace Prem.Llm.Data;

/// <summary>
/// One pretraining example: window <see cref="Index"/> of a <see cref="PackedTokenDataset"/>, read when it
/// is collated (<see cref="PackedWindowCollator"/>).
/// </summary>
/// <param name="Dataset">The token stream.</param>
/// <param name="Index">The window's index in [0, <see cref="PackedTokenDataset.Count"/>).</param>
public readonly record struct PackedWindow(PackedTokenDataset Dataset, long Index);
