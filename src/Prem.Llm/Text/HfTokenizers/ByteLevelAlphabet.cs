namespace Prem.Llm.Text;

/// <summary>
/// GPT-2's byte-level alphabet (HF tokenizers' <c>bytes_char</c>): each byte maps to one printable
/// character — printable Latin-1 bytes to themselves, the other 68 bytes to U+0100 onwards in order.
/// Byte-level BPE vocabularies (Llama-3, Qwen, DeepSeek) are written in this alphabet.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>The character for each byte.</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    /// <summary>The byte for each character below U+0144, or -1.</summary>
    public static readonly short[] CharToByte = BuildCharToByte();

    static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    static short[] BuildCharToByte()
    {
        var inverse = new short[0x144];
        Array.Fill(inverse, (short)-1);
        for (int b = 0; b < 256; b++) inverse[ByteToChar[b]] = (short)b;
        return inverse;
    }

    /// <summary>
    /// The bytes a byte-level token string stands for; like HF's ByteLevel decoder, a token with any
    /// character outside the alphabet decodes to its own UTF-8 bytes instead.
    /// </summary>
    public static byte[] Decode(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            char c = token[i];
            if (c >= CharToByte.Length || CharToByte[c] < 0) return System.Text.Encoding.UTF8.GetBytes(token);
            bytes[i] = (byte)CharToByte[c];
        }
        return bytes;
    }

    /// <summary>Maps the UTF-8 bytes of <paramref name="text"/> to the alphabet.</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        int count = System.Text.Encoding.UTF8.GetByteCount(text);
        byte[] bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(count);
        char[] chars = System.Buffers.ArrayPool<char>.Shared.Rent(count);
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        for (int i = 0; i < count; i++) chars[i] = ByteToChar[bytes[i]];
        string result = new(chars, 0, count);
        System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        System.Buffers.ArrayPool<char>.Shared.Return(chars);
        return result;
    }
}
