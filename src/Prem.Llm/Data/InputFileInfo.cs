using System.Text.Json.Serialization;

namespace Prem.Llm.Data;

/// <summary>An input file as recorded in the manifest; a resumed run refuses inputs that changed.</summary>
/// <param name="Path">Path relative to the input folder ("/" separators), or the file name for a single file.</param>
/// <param name="Bytes">File size on disk.</param>
public sealed record InputFileInfo(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("bytes")] long Bytes);
