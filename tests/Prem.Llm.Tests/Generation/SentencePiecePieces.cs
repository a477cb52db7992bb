namespace Prem.Llm.Tests.Generation;

/// <summary>
/// Reads the piece strings of a SentencePiece model file (protobuf field 1 of ModelProto, each a
/// SentencePiece message whose field 1 is the piece). Independent of the library's tokenizer code.
/// </summary>
internal static class SentencePiecePieces
{
    public static string[] Read(string path)
    {
        var data = File.ReadAllBytes(path);
        var pieces = new List<string>();
        int at = 0;
        while (at < data.Length)
        {
            ulong key = Varint(data, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            if (wire == 2)
            {
                int length = (int)Varint(data, ref at);
                if (field == 1) pieces.Add(PieceOf(data.AsSpan(at, length)));
                at += length;
            }
            else if (wire == 0) Varint(data, ref at);
            else if (wire == 5) at += 4;
            else if (wire == 1) at += 8;
            else throw new InvalidDataException($"wire type {wire}");
        }
        return [.. pieces.Select(p => p.Length == 6 && p.StartsWith("<0x") ? ((char)Convert.ToByte(p[3..5], 16)).ToString() : p)];
    }

    static string PieceOf(ReadOnlySpan<byte> message)
    {
        int at = 0;
        var bytes = message.ToArray();
        while (at < bytes.Length)
        {
            ulong key = Varint(bytes, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            if (wire == 2)
            {
                int length = (int)Varint(bytes, ref at);
                if (field == 1) return System.Text.Encoding.UTF8.GetString(bytes, at, length);
                at += length;
            }
            else if (wire == 0) Varint(bytes, ref at);
            else if (wire == 5) at += 4;
            else at += 8;
        }
        return "";
    }

    static ulong Varint(byte[] data, ref int at)
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }
}
