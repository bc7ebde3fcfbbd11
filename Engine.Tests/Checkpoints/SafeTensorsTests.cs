using System.Buffers.Binary;
using System.Text;
using SeqLearn.Checkpoints;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Checkpoints;

public class SafeTensorsTests
{
    /// <summary>A file from a hand-written header and data buffer (the header is padded here, by the test).</summary>
    internal static byte[] Craft(string header, byte[] data, bool pad = true)
    {
        var h = Encoding.UTF8.GetBytes(header);
        int n = pad ? (h.Length + 7) / 8 * 8 : h.Length;
        var file = new byte[8 + n + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)n);
        h.CopyTo(file, 8);
        file.AsSpan(8 + h.Length, n - h.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + n);
        return file;
    }

    [Fact]
    public void Serialize_ByteLayout_MatchesHandComputed()
    {
        var bytes = SafeTensorsWriter.Serialize(
        [
            SafeTensor.FromInt64("b", [3]),
            SafeTensor.FromTensor("a", Tensor<float>.FromArray([1f, -2f], 2)),
        ]);
        // Sorted by name; offsets back to back; 8 + N a multiple of 8 with space padding.
        const string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]}}";
        Assert.Equal(108, json.Length);                        // padded to 112
        var expected = new List<byte>();
        expected.AddRange([112, 0, 0, 0, 0, 0, 0, 0]);
        expected.AddRange(Encoding.UTF8.GetBytes(json));
        expected.AddRange("    "u8.ToArray());
        expected.AddRange([0x00, 0x00, 0x80, 0x3F]);           // 1.0f
        expected.AddRange([0x00, 0x00, 0x00, 0xC0]);           // -2.0f
        expected.AddRange([3, 0, 0, 0, 0, 0, 0, 0]);           // 3L
        Assert.Equal(expected.ToArray(), bytes);
    }

    [Fact]
    public void Serialize_ThenParse_RoundTripsEveryDtypeScalarAndEmpty()
    {
        var rng = new SeededRng(5);
        var f = Tensor<float>.Normal([3, 4], 0, 1, rng);
        var d = Tensor<double>.Normal([5], 0, 1, rng);
        var scalar = Tensor<double>.Scalar(Math.PI);
        var empty = Tensor<float>.Zeros(0, 3);
        var meta = new Dictionary<string, string> { ["note"] = "ünïcode ✓", ["k"] = "" };
        var bytes = SafeTensorsWriter.Serialize(
        [
            SafeTensor.FromTensor("f", f), SafeTensor.FromTensor("d", d), SafeTensor.FromTensor("s", scalar),
            SafeTensor.FromTensor("e", empty), SafeTensor.FromInt64("ids", [long.MinValue, -1, 0, long.MaxValue], [2, 2]),
        ], meta);
        var file = SafeTensorsFile.Parse(bytes, "mem");
        Assert.Equal(["d", "e", "f", "ids", "s"], file.Tensors.Select(t => t.Name));
        Assert.Equal(meta, file.Metadata);
        TensorAssert.BitEqual<float>(f.Span, file.Find("f")!.ToTensor<float>().Span);
        TensorAssert.BitEqual<double>(d.Span, file.Find("d")!.ToTensor<double>().Span);
        Assert.Equal(Math.PI, file.Find("s")!.ToTensor<double>().Span[0]);
        Assert.Equal([0, 3], file.Find("e")!.ToTensor<float>().ShapeArray());
        Assert.Equal([long.MinValue, -1, 0, long.MaxValue], file.Find("ids")!.ToInt64());
        Assert.Equal([2, 2], file.Find("ids")!.Shape.ToArray());
        Assert.Equal(0, (bytes.Length - file.Tensors.Sum(t => t.Data.Length)) % 8);
    }

    [Fact]
    public void Parse_HeaderLengthBeyondFile_FailsAtByteZeroWithoutAllocating()
    {
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1UL << 60);
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Parse(bytes, "big.safetensors"));
        Assert.Contains("big.safetensors at byte 0", e.Message);
        Assert.Contains("56 bytes follow", e.Message);
    }

    [Fact]
    public void Parse_SpanDisagreesWithShape_NamesTensorAndSizes()
    {
        var bytes = Craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", new byte[12]);
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Parse(bytes, "x"));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("needs 16 bytes", e.Message);
        Assert.Equal(9, e.Offset);   // the key "w" right after '{' at byte 8
    }

    [Theory]
    [InlineData("[0,8]", "[12,16]", "a gap")]
    [InlineData("[0,8]", "[4,8]", "an overlap")]
    public void Parse_GapOrOverlap_IsReported(string a, string b, string what)
    {
        var header = $"{{\"a\":{{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{a}}},\"b\":{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{b}}}}}";
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Parse(Craft(header, new byte[16]), "x"));
        Assert.Contains(what, e.Message);
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]}}", "dtype 'BF16'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "integers in [0,")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", "lacks data_offsets")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", "unexpected or repeated key 'x'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{}}", "appears twice")]
    [InlineData("{\"__metadata__\":{\"a\":1}}", "to be a string")]
    [InlineData("{\"w\":", "not valid JSON")]
    [InlineData("[1]", "the header to be a JSON object")]
    public void Parse_BadHeader_SaysWhatWasExpected(string header, string expected)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Parse(Craft(header, new byte[4]), "bad.safetensors"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("bad.safetensors", e.Message);
    }

    [Fact]
    public void Parse_TrailingBytes_AreReported()
    {
        var good = SafeTensorsWriter.Serialize([SafeTensor.FromTensor("a", Tensor<float>.Ones(2))]);
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Parse([.. good, 0], "x"));
        Assert.Contains("trailing", e.Message);
    }

    [Fact]
    public void Parse_TruncatedOrFlippedBytes_OnlyEverThrowsCheckpointFormatException()
    {
        var rng = new SeededRng(2024);
        var good = SafeTensorsWriter.Serialize(
        [
            SafeTensor.FromTensor("layer.weight", Tensor<float>.Normal([3, 5], 0, 1, rng)),
            SafeTensor.FromTensor("layer.bias", Tensor<double>.Normal([5], 0, 1, rng)),
            SafeTensor.FromInt64("count", [7]),
        ], new Dictionary<string, string> { ["a"] = "b" });
        for (int trial = 0; trial < 2000; trial++)
        {
            var bad = (byte[])good.Clone();
            bool truncate = trial % 2 == 0;
            if (truncate) bad = bad[..rng.NextInt(bad.Length)];
            else bad[rng.NextInt(bad.Length)] ^= (byte)(1 + rng.NextInt(255));
            try
            {
                SafeTensorsFile.Parse(bad, "fuzz");
                Assert.False(truncate, $"trial {trial}: a truncated file ({bad.Length} of {good.Length} bytes) parsed");
            }
            catch (CheckpointFormatException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"trial {trial} ({(truncate ? "truncate" : "flip")}): {e.GetType().Name}: {e.Message}");
            }
        }
    }

    // Found by the fuzzer: invalid UTF-8 inside a header string was reported at the start of its JSON token.
    [Fact]
    public void Parse_HeaderNotUtf8_NamesTheByte()
    {
        byte[] file = Craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        file[8 + 10] = 0xC0; // the 'p' of "dtype"
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Parse(file, "x.safetensors"));
        Assert.StartsWith("x.safetensors at byte 18: the header is not valid UTF-8 (0xC0)", e.Message);
        Assert.Equal(18, e.Offset);
    }

    [Fact]
    public void Read_DeviceOrCheckpointFileLinkedToOne_FailsAtOnceNamingTheFile()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;   // Windows has no /dev/zero
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read("/dev/zero"));
        Assert.Contains("/dev/zero", e.Message);
        Assert.Contains("not a regular file", e.Message);

        using var tmp = new TempDir("device");
        string dir = tmp.Combine("ckpt");
        CheckpointTests.SaveSample(dir);
        string weights = Path.Combine(dir, Checkpoint.WeightsFileName);
        File.Delete(weights);
        File.CreateSymbolicLink(weights, "/dev/zero");
        var load = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load<float>(dir));
        Assert.Contains("not a regular file", load.Message);
    }

    [Fact]
    public void Read_Directory_SaysItIsADirectory()
    {
        using var tmp = new TempDir("safetensors-directory");
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(tmp.Path));
        Assert.Equal($"{tmp.Path}: this is a directory, not a safetensors file.", e.Message);
        Assert.IsType<FileNotFoundException>(Assert.ThrowsAny<IOException>(() => SafeTensorsFile.Read(tmp.Combine("missing.safetensors"))));
    }

    [Fact]
    public void SafeTensor_ShapeBeyondAnyBuffer_IsAnArgumentExceptionNamingTheShape()
    {
        var e = Assert.Throws<ArgumentException>(() => new SafeTensor("a", SafeTensorDType.F32, [int.MaxValue, int.MaxValue, int.MaxValue], ReadOnlyMemory<byte>.Empty));
        Assert.Equal("shape", e.ParamName);
        Assert.Contains("needs more than", e.Message);
        // 2^30 · 2^30 · 2 elements of 8 bytes is 2^64 bytes: no wrap to 0 bytes.
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => new SafeTensor("a", SafeTensorDType.F64, [1 << 30, 1 << 30, 2], ReadOnlyMemory<byte>.Empty)).ParamName);
        Assert.Equal(0, new SafeTensor("a", SafeTensorDType.F64, [0, int.MaxValue, int.MaxValue], ReadOnlyMemory<byte>.Empty).Data.Length);
    }

    [Fact]
    public void SafeTensor_UndefinedDType_IsRejected()
    {
        Assert.Equal("dtype", Assert.Throws<ArgumentOutOfRangeException>(() => new SafeTensor("a", (SafeTensorDType)9, [1], new byte[8])).ParamName);
        Assert.Equal("dtype", Assert.Throws<ArgumentOutOfRangeException>(() => SafeTensor.SizeOf((SafeTensorDType)9)).ParamName);
    }

    [Fact]
    public void Serialize_NullTensor_IsAnArgumentExceptionNamingItsIndex()
    {
        var e = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Serialize(new SafeTensor[] { null! }));
        Assert.Equal("tensors", e.ParamName);
        Assert.Contains("tensor 0 is null", e.Message);
    }
    // A null metadata value would be written as JSON null, which no safetensors reader (this one included) accepts.
    [Fact]
    public void Serialize_NullMetadataValue_IsRefusedNamingTheKey()
    {
        var e = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Serialize([SafeTensor.FromInt64("a", [1])], new Dictionary<string, string> { ["note"] = null! }));
        Assert.Equal("metadata", e.ParamName);
        Assert.Contains("'note'", e.Message);
        var ok = SafeTensorsWriter.Serialize([SafeTensor.FromInt64("a", [1])], new Dictionary<string, string> { ["note"] = "" });
        Assert.Equal("", SafeTensorsFile.Parse(ok, "ok.safetensors").Metadata["note"]);
    }

    // Tensors of 1.2 GB and 1 GB: their bytes never exist, only their lengths, which is all the size check reads.
    [Fact]
    public void Serialize_TensorsBeyondOneArray_AreRefusedNamingTheSizes()
    {
        SafeTensor Unbacked(string name, int floats) => new(name, SafeTensorDType.F32, [floats], new LengthOnly(floats * 4).Memory);
        var e = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Serialize([Unbacked("big", 300_000_000), Unbacked("small", 250_000_000)]));
        Assert.Equal("tensors", e.ParamName);
        Assert.StartsWith("SafeTensorsWriter: the 2 tensors hold 2,200,000,000 bytes (the largest: 'big' 1,200,000,000, 'small' 1,000,000,000); "
                          + "with the 168-byte header the file would exceed 2,147,483,591 bytes", e.Message);
    }

    /// <summary>A buffer of <c>length</c> bytes that are never allocated: sizes beyond one array without gigabytes of memory.</summary>
    internal sealed class LengthOnly(int length) : System.Buffers.MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => throw new InvalidOperationException("the bytes of a length-only buffer were read");
        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
        public override Memory<byte> Memory => CreateMemory(length);
    }
}
