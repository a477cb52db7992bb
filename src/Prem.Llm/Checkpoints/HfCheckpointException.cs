namespace Prem.Llm.Checkpoints;

/// <summary>A model folder whose tensors do not fit the model: missing, unexpected or misshapen keys.</summary>
public sealed class HfCheckpointException(string message) : Exception(message);
