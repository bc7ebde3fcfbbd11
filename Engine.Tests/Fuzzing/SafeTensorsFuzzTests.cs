using System.Buffers.Binary;
using System.Text.RegularExpressions;
using SeqLearn.Checkpoints;
using SeqLearn.Tensors;
using SeqLearn.Text;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>
/// <see cref="SafeTensorsFile"/> under mutated files: each input is a <see cref="CheckpointFormatException"/> naming the
/// file and a byte offset (or header line), or a file whose tensors convert and serialise back to the same bytes.
/// Besides mutations of the whole file, the JSON header is mutated on its own and re-framed with its new length (so
/// that shapes, offsets and dtypes are reached), and the 8-byte length is set to huge or off-by-one values.
/// </summary>
public class SafeTensorsFuzzTests(ITestOutputHelper output)
{
    private static readonly ulong[] HugeLengths =
        [1UL << 62, 1UL << 63, ulong.MaxValue, int.MaxValue, (ulong)Array.MaxLength, 100_000_001, 0, 1, 2];

    internal static byte[][] Seeds()
    {
        var rng = new SeededRng(3);
        byte[] full = SafeTensorsWriter.Serialize(
        [
            SafeTensor.FromTensor("embedding.weight", Tensor<float>.Normal([4, 3], 0, 1, rng)),
            SafeTensor.FromTensor("scale", Tensor<double>.Normal([], 0, 1, rng)),
            SafeTensor.FromInt64("steps", [1, 2, 3]),
            SafeTensor.FromTensor("empty", Tensor<float>.Zeros([0, 3])),
        ], new Dictionary<string, string> { ["format"] = "pt", ["note"] = "é ✓" });
        byte[] small = SafeTensorsWriter.Serialize([SafeTensor.FromTensor("w", Tensor<float>.Normal([2, 2, 2], 0, 1, rng))]);
        return [full, small];
    }

    internal static byte[] Mutate(byte[] file, SeededRng rng, List<string> log)
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        switch (rng.NextInt(10))
        {
            case < 4:
                log.Add("whole file");
                return Mutator.Mutate(file, rng, log);
            case < 9:
            {
                log.Add("header, re-framed");
                byte[] header = Mutator.Mutate(file[8..(8 + n)], rng, log);
                byte[] data = file[(8 + n)..];
                if (rng.NextInt(4) == 0)
                {
                    log.Add("data");
                    data = Mutator.Apply(rng.NextInt(2) == 0 ? MutationKind.Truncate : MutationKind.BitFlip, data, rng, log);
                }
                var result = new byte[8 + header.Length + data.Length];
                BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
                header.CopyTo(result, 8);
                data.CopyTo(result, 8 + header.Length);
                return result;
            }
            default:
            {
                ulong length = rng.NextInt(3) == 0 ? (ulong)(n + rng.NextInt(3) - 1) : HugeLengths[rng.NextInt(HugeLengths.Length)];
                log.Add($"header length {n} → {length}");
                var result = (byte[])file.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(result, length);
                return result;
            }
        }
    }

    // The offset, or the line of a multi-line header; an invalid-UTF-8 error points at the first invalid byte of the header.
    internal static bool NamesLocation(string path, byte[] file, string message)
    {
        if (message.Contains("not valid UTF-8", StringComparison.Ordinal))
        {
            int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
            return TextFile.FindInvalidUtf8(file.AsSpan(8, n)) is { } bad && message.StartsWith($"{path} at byte {8 + bad.Offset}: ", StringComparison.Ordinal);
        }
        return Regex.IsMatch(message, $"^{Regex.Escape(path)} at byte \\d+: ") ||
               Regex.IsMatch(message, $"^{Regex.Escape(path)}: .*\\(header line \\d+, byte \\d+ in that line\\)");
    }

    internal static FuzzTarget Target() => new()
    {
        Reader = "safetensors",
        FileName = "weights.safetensors",
        Seeds = Seeds(),
        Mutate = Mutate,
        Parse = c => SafeTensorsFile.Read(c.Path),
        IsFormatError = e => e is CheckpointFormatException,
        NamesLocation = (c, e) => NamesLocation(c.Path, c.Bytes, e.Message),
        IsText = false,
        CheckAccepted = (c, result) => Check((SafeTensorsFile)result),
    };

    [Fact]
    public void MutatedSafeTensorsFiles_AreFormatErrorsNamingTheOffset_OrValidFiles() => FuzzHarness.Run(Target(), output);

    private static void Check(SafeTensorsFile file)
    {
        foreach (var t in file.Tensors)
        {
            long elements = 1;
            foreach (int d in t.Shape) elements *= d;
            if (elements * SafeTensor.SizeOf(t.DType) != t.Data.Length) throw new FuzzInvariantException($"'{t.Name}' has {t.Data.Length} bytes for its shape");
            long converted = t.DType switch
            {
                SafeTensorDType.F32 => t.ToTensor<float>().Length,
                SafeTensorDType.F64 => t.ToTensor<double>().Length,
                _ => t.ToInt64().Length,
            };
            if (converted != elements) throw new FuzzInvariantException($"'{t.Name}' converts to {converted} elements, not {elements}");
        }
        byte[] again = SafeTensorsWriter.Serialize(file.Tensors.ToArray(), file.Metadata);
        var back = SafeTensorsFile.Parse(again, "rewritten.safetensors");
        if (back.Tensors.Count != file.Tensors.Count) throw new FuzzInvariantException("the tensor count changes when written and read back");
        for (int i = 0; i < back.Tensors.Count; i++)
            if (back.Tensors[i].Name != file.Tensors[i].Name || !back.Tensors[i].Shape.SequenceEqual(file.Tensors[i].Shape)
                || !back.Tensors[i].Data.Span.SequenceEqual(file.Tensors[i].Data.Span))
                throw new FuzzInvariantException($"tensor '{file.Tensors[i].Name}' changes when written and read back");
        if (!back.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).SequenceEqual(file.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)))
            throw new FuzzInvariantException("the metadata changes when written and read back");
    }
}
