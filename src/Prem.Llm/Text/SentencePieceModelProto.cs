using Google.Protobuf;

namespace Prem.Llm.Text;

/// <summary>The type of a SentencePiece vocabulary entry (sentencepiece_model.proto).</summary>
internal enum SentencePieceType
{
    /// <summary>An ordinary piece that BPE merges may produce.</summary>
    Normal = 1,
    /// <summary>The unknown piece.</summary>
    Unknown = 2,
    /// <summary>A control symbol such as &lt;s&gt;; never produced from text.</summary>
    Control = 3,
    /// <summary>A user-defined symbol, matched whole in the input.</summary>
    UserDefined = 4,
    /// <summary>A piece the model keeps but never emits (re-split into its halves).</summary>
    Unused = 5,
    /// <summary>A byte-fallback piece &lt;0xNN&gt;.</summary>
    Byte = 6,
}

/// <summary>One vocabulary entry of a SentencePiece model.</summary>
/// <param name="Piece">The piece text, with "▁" standing for a space.</param>
/// <param name="Score">The merge score (higher merges first).</param>
/// <param name="Type">The entry type.</param>
internal readonly record struct SentencePieceEntry(string Piece, float Score, SentencePieceType Type);

/// <summary>
/// The parts of a SentencePiece <c>tokenizer.model</c> (a serialized <c>ModelProto</c>) that encoding
/// needs. Microsoft.ML.Tokenizers reads the same file but keeps pieces, scores and the spec fields
/// internal, so we read the protobuf wire format here with Google.Protobuf's reader.
/// </summary>
internal sealed class SentencePieceModelProto
{
    /// <summary>All vocabulary entries; the index is the id.</summary>
    public required IReadOnlyList<SentencePieceEntry> Pieces { get; init; }

    /// <summary>TrainerSpec.model_type (1 unigram, 2 BPE, 3 word, 4 char).</summary>
    public int ModelType { get; init; } = 1;

    /// <summary>TrainerSpec.byte_fallback.</summary>
    public bool ByteFallback { get; init; }

    /// <summary>TrainerSpec.split_by_whitespace (training-time; encoding checks the vocabulary instead).</summary>
    public bool SplitByWhitespace { get; init; } = true;

    /// <summary>TrainerSpec.split_digits (training-time only: the vocabulary then has no multi-digit pieces).</summary>
    public bool SplitDigits { get; init; }

    /// <summary>TrainerSpec.treat_whitespace_as_suffix.</summary>
    public bool TreatWhitespaceAsSuffix { get; init; }

    /// <summary>TrainerSpec.unk_id / bos_id / eos_id / pad_id (−1 when absent).</summary>
    public int UnkId { get; init; }

    /// <inheritdoc cref="UnkId"/>
    public int BosId { get; init; } = 1;

    /// <inheritdoc cref="UnkId"/>
    public int EosId { get; init; } = 2;

    /// <inheritdoc cref="UnkId"/>
    public int PadId { get; init; } = -1;

    /// <summary>NormalizerSpec.name (e.g. "identity", "nmt_nfkc").</summary>
    public string NormalizerName { get; init; } = "";

    /// <summary>True when NormalizerSpec carries a precompiled character map (non-identity normalisation).</summary>
    public bool HasPrecompiledCharsMap { get; init; }

    /// <summary>NormalizerSpec.add_dummy_prefix.</summary>
    public bool AddDummyPrefix { get; init; } = true;

    /// <summary>NormalizerSpec.remove_extra_whitespaces.</summary>
    public bool RemoveExtraWhitespaces { get; init; } = true;

    /// <summary>NormalizerSpec.escape_whitespaces.</summary>
    public bool EscapeWhitespaces { get; init; } = true;

    /// <summary>Parses the serialized model in <paramref name="bytes"/>; <paramref name="source"/> names it in errors.</summary>
    public static SentencePieceModelProto Parse(byte[] bytes, string source)
    {
        try
        {
            return ParseCore(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new TextDataException(source, "not a valid SentencePiece model: " + e.Message, inner: e);
        }
    }

    static SentencePieceModelProto ParseCore(byte[] bytes)
    {
        var pieces = new List<SentencePieceEntry>();
        var trainer = new Dictionary<int, object>();
        var normalizer = new Dictionary<int, object>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: pieces.Add(ReadPiece(input.ReadBytes())); break;
                case 2: ReadFields(input.ReadBytes(), trainer); break;
                case 3: ReadFields(input.ReadBytes(), normalizer); break;
                default: input.SkipLastField(); break;
            }
        }
        return new SentencePieceModelProto
        {
            Pieces = pieces,
            ModelType = Int(trainer, 3, 1),
            SplitByWhitespace = Int(trainer, 22, 1) != 0,
            TreatWhitespaceAsSuffix = Int(trainer, 24, 0) != 0,
            SplitDigits = Int(trainer, 25, 0) != 0,
            ByteFallback = Int(trainer, 35, 0) != 0,
            UnkId = Int(trainer, 40, 0),
            BosId = Int(trainer, 41, 1),
            EosId = Int(trainer, 42, 2),
            PadId = Int(trainer, 43, -1),
            NormalizerName = normalizer.TryGetValue(1, out var n) ? ((ByteString)n).ToStringUtf8() : "",
            HasPrecompiledCharsMap = normalizer.TryGetValue(2, out var m) && ((ByteString)m).Length > 0,
            AddDummyPrefix = Int(normalizer, 3, 1) != 0,
            RemoveExtraWhitespaces = Int(normalizer, 4, 1) != 0,
            EscapeWhitespaces = Int(normalizer, 5, 1) != 0,
        };
    }

    static SentencePieceEntry ReadPiece(ByteString bytes)
    {
        string piece = "";
        float score = 0;
        var type = SentencePieceType.Normal;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: piece = input.ReadString(); break;
                case 2: score = input.ReadFloat(); break;
                case 3: type = (SentencePieceType)input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new SentencePieceEntry(piece, score, type);
    }

    // Keeps varint fields as longs and length-delimited fields as bytes; the spec fields we use are one of those.
    static void ReadFields(ByteString bytes, Dictionary<int, object> fields)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint: fields[number] = input.ReadInt64(); break;
                case WireFormat.WireType.LengthDelimited: fields[number] = input.ReadBytes(); break;
                default: input.SkipLastField(); break;
            }
        }
    }

    static int Int(Dictionary<int, object> fields, int number, int fallback) =>
        fields.TryGetValue(number, out var v) && v is long l ? (int)l : fallback;
}
