using System.Buffers.Binary;

namespace Prem.Llm.Tests.Gguf;

/// <summary>
/// Mutates a GGUF file one to three times: bit flips; counts, lengths, types, dims and offsets overwritten with
/// hostile values (0, 1, 2³¹, 2⁶³, all ones, small); truncation; extension; spliced, duplicated or deleted
/// byte runs. Deterministic for a given <see cref="Random"/>.
/// </summary>
internal static class GgufMutator
{
    static readonly ulong[] _interesting = [0, 1, 2, 3, 4, 7, 8, 9, 13, 30, 31, 32, 33, 34, 64, 255, 256, 1023, 65535, 1UL << 31, (1UL << 32) - 1, 1UL << 32, 1UL << 40, long.MaxValue, 1UL << 63, ulong.MaxValue];

    public static byte[] Mutate(byte[] seed, Random random, out string how)
    {
        var data = seed.ToList();
        var steps = new List<string>();
        int n = 1 + random.Next(3);
        for (int k = 0; k < n; k++)
        {
            int at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0:
                    if (data.Count > 0) data[at] ^= (byte)(1 << random.Next(8));
                    steps.Add($"flip@{at}");
                    break;
                case 1 or 2:
                {
                    // Header fields are 4- or 8-byte little-endian; overwrite one at an aligned or any position.
                    int width = random.Next(2) == 0 ? 4 : 8;
                    if (random.Next(2) == 0) at &= ~(width - 1);
                    ulong value = _interesting[random.Next(_interesting.Length)];
                    Span<byte> bytes = stackalloc byte[8];
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
                    for (int j = 0; j < width && at + j < data.Count; j++) data[at + j] = bytes[j];
                    steps.Add($"u{width * 8}@{at}={value}");
                    break;
                }
                case 3:
                    if (data.Count > 0) data.RemoveRange(at, data.Count - at);
                    steps.Add($"truncate@{at}");
                    break;
                case 4:
                    data.AddRange(Enumerable.Range(0, random.Next(1, 200)).Select(_ => (byte)random.Next(256)));
                    steps.Add("extend");
                    break;
                case 5:
                {
                    int length = Math.Min(random.Next(1, 64), data.Count - at);
                    if (length > 0) data.InsertRange(random.Next(data.Count), data.GetRange(at, length));
                    steps.Add($"duplicate@{at}");
                    break;
                }
                case 6:
                {
                    int length = Math.Min(random.Next(1, 32), data.Count - at);
                    if (length > 0) data.RemoveRange(at, length);
                    steps.Add($"delete@{at}");
                    break;
                }
                default:
                    if (data.Count > 0) data[at] = (byte)random.Next(256);
                    steps.Add($"byte@{at}");
                    break;
            }
        }
        how = string.Join(",", steps);
        return [.. data];
    }
}
