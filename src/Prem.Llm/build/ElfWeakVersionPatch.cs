// Compiled by MSBuild's RoslynCodeTaskFactory (see Prem.Llm.targets) and linked into the tests.
// Written by hand because no packaged tool edits ELF version-need flags, and the fix must run
// inside `dotnet build` on a machine that has only the .NET SDK.
using System;
using System.IO;
using System.Text;

namespace Prem.Llm.Build
{
    /// <summary>
    /// Marks one required symbol version of an ELF64 shared library as weak (VER_FLG_WEAK), so the
    /// dynamic loader accepts the library where that version is missing.
    /// </summary>
    /// <remarks>
    /// libLibTorchSharp.so (TorchSharp 0.107.0) needs GLIBCXX_3.4.32 only for
    /// <c>std::ios_base_library_init</c>, a marker symbol GCC 13 emits and never calls. Debian 12 and
    /// Ubuntu 22.04 ship libstdc++ up to GLIBCXX_3.4.30, so the unpatched library fails to load.
    /// </remarks>
    public static class ElfWeakVersionPatch
    {
        /// <summary>The version-need flag that makes a missing version non-fatal.</summary>
        public const ushort VerFlagWeak = 0x2;
        const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Outcome of <see cref="Apply"/>.</summary>
        public enum Result { Patched, AlreadyWeak, VersionNotNeeded, NotElf64 }

        /// <summary>True when a libstdc++ on this machine already defines <paramref name="version"/>.</summary>
        public static bool SystemLibStdCxxHas(string version, string[] candidates)
        {
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            foreach (string path in candidates)
            {
                if (File.Exists(path) && IndexOf(File.ReadAllBytes(path), needle) >= 0)
                    return true;
            }
            return false;
        }

        /// <summary>Default places a distribution keeps libstdc++.so.6.</summary>
        public static readonly string[] DefaultLibStdCxxPaths =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        /// <summary>Sets VER_FLG_WEAK on every need of <paramref name="version"/> in the file's image.</summary>
        public static Result Apply(byte[] image, string version)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L'
                || image[3] != (byte)'F' || image[4] != 2 || image[5] != 1)
                return Result.NotElf64;

            long shoff = ReadI64(image, 0x28);
            int shentsize = ReadU16(image, 0x3a);
            int shnum = ReadU16(image, 0x3c);
            if (shoff <= 0 || shentsize < 64 || shoff + (long)shnum * shentsize > image.Length)
                return Result.NotElf64;

            bool found = false, changed = false;
            for (int s = 0; s < shnum; s++)
            {
                int sh = checked((int)(shoff + (long)s * shentsize));
                if ((uint)ReadI32(image, sh + 4) != ShtGnuVerneed)
                    continue;
                long offset = ReadI64(image, sh + 0x18);
                int link = ReadI32(image, sh + 0x28);
                int count = ReadI32(image, sh + 0x2c);
                int strtab = checked((int)(shoff + (long)link * shentsize));
                long strOffset = ReadI64(image, strtab + 0x18);

                long need = offset;
                for (int n = 0; n < count; n++)
                {
                    int auxCount = ReadU16(image, (int)need + 2);
                    long aux = need + ReadI32(image, (int)need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        int flagsAt = (int)aux + 4;
                        string name = ReadCString(image, strOffset + ReadI32(image, (int)aux + 8));
                        if (name == version)
                        {
                            found = true;
                            ushort flags = (ushort)ReadU16(image, flagsAt);
                            if ((flags & VerFlagWeak) == 0)
                            {
                                flags |= VerFlagWeak;
                                image[flagsAt] = (byte)flags;
                                image[flagsAt + 1] = (byte)(flags >> 8);
                                changed = true;
                            }
                        }
                        aux += ReadI32(image, (int)aux + 12);
                    }
                    need += ReadI32(image, (int)need + 12);
                }
            }
            return !found ? Result.VersionNotNeeded : changed ? Result.Patched : Result.AlreadyWeak;
        }

        static int ReadU16(byte[] b, int at) => b[at] | (b[at + 1] << 8);
        static int ReadI32(byte[] b, int at) => BitConverter.ToInt32(b, at);
        static long ReadI64(byte[] b, int at) => BitConverter.ToInt64(b, at);

        static string ReadCString(byte[] b, long at)
        {
            int end = (int)at;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
        }

        static int IndexOf(byte[] haystack, byte[] needle)
        {
            // Plain loop: the task factory compiles against netstandard2.0, which has no span search.
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }

#if !PREM_NO_MSBUILD_TASK
    /// <summary>MSBuild task: patches each given libLibTorchSharp.so unless the system libstdc++ is new enough.</summary>
    public class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        /// <summary>The native libraries in the build or publish output.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>The symbol version to make weak.</summary>
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        /// <inheritdoc />
        public override bool Execute()
        {
            if (ElfWeakVersionPatch.SystemLibStdCxxHas(Version, ElfWeakVersionPatch.DefaultLibStdCxxPaths))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"Prem.Llm: system libstdc++ has {Version}; nothing to patch.");
                return true;
            }
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                byte[] image = File.ReadAllBytes(path);
                var result = ElfWeakVersionPatch.Apply(image, Version);
                if (result == ElfWeakVersionPatch.Result.Patched)
                {
                    // Write to a temp file and rename: the output may be a link into the NuGet cache.
                    string temp = path + ".prem-tmp";
                    File.WriteAllBytes(temp, image);
                    File.Delete(path);
                    File.Move(temp, path);
                }
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"Prem.Llm: {path}: {result} ({Version} weak).");
            }
            return true;
        }
    }
#endif
}
