using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using SeqLearn.Checkpoints;
using SeqLearn.Classification;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Training;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>
/// FsCheck properties over every file reader of the engine: a valid file written by the library (or a real corpus head)
/// is damaged by one or two generated mutations (truncation, bit flips, huge, negative or non-numeric numbers, a
/// duplicated JSON key, an empty file, a lone BOM, CRLF line ends…) and read on its own thread. Each case either loads
/// (and passes the reader's own check of what it returned) or throws the reader's documented format exception naming
/// the file and a line or byte offset, within a deadline and within the allocation budget of
/// <see cref="FuzzHarness.Judge"/> (so never a buffer sized from a count in the file). The replay seeds are fixed.
/// </summary>
public class ReaderMutationPropertyTests
{
    private const int Cases = 60;

    // Longer than any reader takes on these inputs by orders of magnitude (a few ms each): only a loop that never ends reaches it.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>A mutation the reader tests add to <see cref="Mutator"/>'s: one JSON member written twice.</summary>
    private const int DuplicateKey = -1;

    private static readonly int[] Kinds = [.. Enum.GetValues<MutationKind>().Select(k => (int)k), DuplicateKey];

    // "key": scalar, as written by System.Text.Json (with or without blanks).
    private static readonly Regex Member = new("\"[^\"\\\\]*\"\\s*:\\s*(\"[^\"\\\\]*\"|-?[0-9][0-9.eE+-]*|true|false|null)", RegexOptions.CultureInvariant);

    /// <summary>Applies mutation <paramref name="kind"/> (a <see cref="MutationKind"/> or <see cref="DuplicateKey"/>).</summary>
    internal static byte[] Apply(int kind, byte[] bytes, SeededRng rng, List<string> log)
    {
        if (kind != DuplicateKey) return Mutator.Apply((MutationKind)kind, bytes, rng, log);
        var members = Member.Matches(Encoding.Latin1.GetString(bytes));   // Latin-1: one char per byte, so indices are byte offsets
        if (members.Count == 0) return Mutator.Apply(MutationKind.DuplicateLine, bytes, rng, log);
        var m = members[rng.NextInt(members.Count)];
        log.Add($"DuplicateKey {Mutator.Preview(bytes.AsSpan(m.Index, m.Length), 40)} at byte {m.Index}");
        byte[] copy = [.. bytes.AsSpan(m.Index, m.Length), (byte)','];
        return [.. bytes.AsSpan(0, m.Index), .. copy, .. bytes.AsSpan(m.Index)];
    }

    /// <summary>A generated case: which seed input, one or two mutations, and the seed of their random choices.</summary>
    internal sealed record Case(int SeedInput, int[] Mutations, int Seed);

    private static Arbitrary<Case> CasesOf(FuzzTarget target) =>
        (from which in Gen.Choose(0, target.Seeds.Count - 1)
         from count in Gen.Choose(1, 2)
         from kinds in Gen.ArrayOf(Gen.Elements(Kinds), count)
         from seed in Gen.Choose(0, int.MaxValue)
         select new Case(which, kinds, seed)).ToArbitrary();

    /// <summary>The bytes of a case: the seed input with its mutations applied through <paramref name="region"/>.</summary>
    private static (byte[] Bytes, string Log) Damage(FuzzTarget target, Case c, Func<byte[], SeededRng, Func<byte[], byte[]>, List<string>, byte[]> region)
    {
        var rng = new SeededRng((ulong)c.Seed);
        var log = new List<string> { $"seed input {c.SeedInput}" };
        byte[] bytes = target.Seeds[c.SeedInput];
        foreach (int kind in c.Mutations) bytes = region(bytes, rng, b => Apply(kind, b, rng, log), log);
        return (bytes, string.Join("; ", log));
    }

    /// <summary>
    /// Reads <paramref name="bytes"/> with <paramref name="target"/> on a thread of its own and returns what is wrong
    /// with the outcome (<see cref="FuzzHarness.Judge"/>, or a read that outlives <see cref="Deadline"/>), or null.
    /// </summary>
    internal static string? Outcome(FuzzTarget target, int seedInput, byte[] bytes, string mutations, string path)
    {
        var c = new FuzzCase(0, seedInput, mutations, bytes, path);
        target.Materialise(c);
        object? result = null;
        Exception? error = null;
        long allocated = 0;
        var reader = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { result = target.Parse(c); }
            catch (Exception e) { error = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, maxStackSize: 16 << 20) { IsBackground = true };
        reader.Start();
        if (!reader.Join(Deadline)) return $"{mutations}: the read did not end within {Deadline.TotalSeconds} s";
        return FuzzHarness.Judge(target, c, result, error, allocated) is { } problem
            ? $"{mutations}\n  input: {Mutator.Preview(bytes)}\n  {problem}"
            : null;
    }

    private static void Holds(FuzzTarget target, ulong seed, Func<byte[], SeededRng, Func<byte[], byte[]>, List<string>, byte[]>? region = null)
    {
        region ??= (bytes, _, mutate, _) => mutate(bytes);
        using var dir = new Checkpoints.TempDir($"prop-{target.Reader}");
        string path = dir.Combine(target.FileName);
        int ran = 0;
        var property = Prop.ForAll(CasesOf(target), c =>
        {
            ran++;
            var (bytes, log) = Damage(target, c, region);
            string? problem = Outcome(target, c.SeedInput, bytes, log, path);
            return problem is null ? Prop.ToProperty(true) : Prop.Label(Prop.ToProperty(false), problem);
        });
        Check.One(FsCheckReplay.Fixed(seed, Cases), property);
        Assert.True(ran >= Cases, $"{ran} of {Cases} cases ran");   // shrinking after a failure runs more
    }

    /// <summary>Every prefix of every seed input of <paramref name="target"/> (all lengths from 0 to the whole input).</summary>
    private static void EveryPrefixHolds(FuzzTarget target, int maxSeedBytes = 4096)
    {
        using var dir = new Checkpoints.TempDir($"prefix-{target.Reader}");
        string path = dir.Combine(target.FileName);
        var problems = new List<string>();
        int tried = 0;
        for (int s = 0; s < target.Seeds.Count; s++)
        {
            byte[] seed = target.Seeds[s];
            if (seed.Length > maxSeedBytes) continue;
            for (int at = 0; at < seed.Length && problems.Count < 5; at++, tried++)
                if (Outcome(target, s, seed[..at], $"seed input {s} cut at {at} of {seed.Length}", path) is { } problem) problems.Add(problem);
        }
        Assert.True(tried > 0, $"{target.Reader}: no seed input of at most {maxSeedBytes} bytes");
        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
    }

    // The header of a safetensors file mutated on its own and framed again with its new length, or the whole file.
    private static byte[] SafeTensorsRegion(byte[] file, SeededRng rng, Func<byte[], byte[]> mutate, List<string> log)
    {
        if (file.Length < 8 || BinaryPrimitives.ReadUInt64LittleEndian(file) is var n && n > (ulong)(file.Length - 8) || rng.NextInt(3) == 0)
        {
            log.Add("whole file");
            return mutate(file);
        }
        log.Add("header, re-framed");
        byte[] header = mutate(file[8..(8 + (int)n)]);
        var result = new byte[8 + header.Length + file.Length - 8 - (int)n];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        file.AsSpan(8 + (int)n).CopyTo(result.AsSpan(8 + header.Length));
        return result;
    }

    internal static FuzzTarget MetricsLogTarget()
    {
        using var dir = new Checkpoints.TempDir("metrics-seed");
        string path = dir.Combine("metrics.jsonl");
        using (var log = new MetricsLog(path))
        {
            log.Append(new MetricsRecord { Kind = MetricsRecordKind.Train, Step = 10, Epoch = 1, TrainLoss = 2.5, TrainSteps = 10, TokensPerSecond = 1234.5, LearningRate = 0.001, ElapsedSeconds = 1.25 });
            log.Append(new MetricsRecord { Kind = MetricsRecordKind.Evaluation, Step = 20, Epoch = 1, TrainLoss = double.NaN, TrainSteps = 10, Metrics = new Dictionary<string, double> { ["loss"] = 2.25, ["ppl"] = 9.49 } });
            log.Append(new MetricsRecord { Kind = MetricsRecordKind.Train, Step = 9_000_000_000, TrainLoss = double.PositiveInfinity, LearningRate = 1e-30 });
        }
        byte[] seed = File.ReadAllBytes(path);
        return new FuzzTarget
        {
            Reader = "metrics",
            FileName = "metrics.jsonl",
            Seeds = [seed],
            Parse = c => MetricsLog.Read(c.Path),
            IsFormatError = e => e is FormatException or SeqLearn.Text.TextFormatException,
            NamesLocation = (c, e) => Regex.IsMatch(e.Message, $"^{Regex.Escape(c.Path)}:[1-9]\\d*: ") || Regex.IsMatch(e.Message, $"^{Regex.Escape(c.Path)}: invalid UTF-8 at byte offset \\d+ "),
            CheckAccepted = (c, result) =>
            {
                string text = FuzzSeeds.RequireUtf8(c.Bytes);
                var records = (IReadOnlyList<MetricsRecord>)result;
                if (records.Count > text.Split('\n').Length) throw new FuzzInvariantException($"{records.Count} records from {text.Split('\n').Length} lines");
                if (records.Any(r => r.Kind is not (MetricsRecordKind.Train or MetricsRecordKind.Evaluation))) throw new FuzzInvariantException("a record of no known kind");
            },
        };
    }

    internal static FuzzTarget ModuleWeightsTarget()
    {
        var module = new Linear<float>(3, 2, new SeededRng(5));
        using var dir = new Checkpoints.TempDir("weights-seed");
        string path = dir.Combine("linear.safetensors");
        module.SaveWeights(path);
        var shapes = module.StateDict().ToDictionary(p => p.Key, p => p.Value.ShapeArray());
        return new FuzzTarget
        {
            Reader = "module-weights",
            FileName = "linear.safetensors",
            Seeds = [File.ReadAllBytes(path)],
            Parse = c =>
            {
                var target = new Linear<float>(3, 2, new SeededRng(6));
                target.LoadWeights(c.Path);
                return target;
            },
            IsFormatError = e => e is CheckpointFormatException,
            NamesLocation = (c, e) => SafeTensorsFuzzTests.NamesLocation(c.Path, c.Bytes, e.Message)
                                      || !e.Message.Contains("not valid UTF-8", StringComparison.Ordinal) && e.Message.StartsWith($"{c.Path}: ", StringComparison.Ordinal),
            IsText = false,
            CheckAccepted = (c, result) =>
            {
                foreach (var (name, value) in ((Linear<float>)result).StateDict())
                    if (!value.ShapeArray().SequenceEqual(shapes[name])) throw new FuzzInvariantException($"'{name}' loaded with shape {ShapeUtil.Format(value.ShapeArray())}");
            },
        };
    }

    // An ensemble of two members saved by RecurrentEnsembleClassifier.Save; the manifest mutated, the members as saved.
    internal static FuzzTarget EnsembleTarget()
    {
        var small = new RecurrentClassifierOptions(Embedding: 4, Hidden: 4, Dropout: 0, WordDropout: 0);
        var members = Enumerable.Range(0, 2).Select(_ => new RecurrentSentenceClassifier(small.Build(vocabulary: 5, classes: 2), ["good", "bad", "film"], ["neg", "pos"])).ToArray();
        using var template = new Checkpoints.TempDir("ensemble-seed");
        string saved = template.Combine("ensemble");
        new RecurrentEnsembleClassifier(members).Save(saved);
        var files = Directory.GetFiles(saved, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(saved, f), File.ReadAllBytes);
        return new FuzzTarget
        {
            Reader = "ensemble",
            FileName = "ensemble",
            Seeds = [files[RecurrentEnsembleClassifier.ManifestFileName]],
            Materialise = c =>
            {
                foreach (var (relative, bytes) in files)
                {
                    string to = Path.Combine(c.Path, relative);
                    Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                    File.WriteAllBytes(to, relative == RecurrentEnsembleClassifier.ManifestFileName ? c.Bytes : bytes);
                }
            },
            Parse = c => RecurrentEnsembleClassifier.Load(c.Path),
            IsFormatError = e => e is CheckpointFormatException,
            NamesLocation = (c, e) =>
            {
                string manifest = Path.Combine(c.Path, RecurrentEnsembleClassifier.ManifestFileName);
                bool json = e.InnerException is System.Text.Json.JsonException;
                return e.Message.StartsWith(json ? $"{manifest} at byte " : $"{manifest}", StringComparison.Ordinal);
            },
            IsText = false,
            CheckAccepted = (c, result) =>
            {
                if (((RecurrentEnsembleClassifier)result).Members.Count is < 1 or > 2) throw new FuzzInvariantException("members that were never saved");
            },
        };
    }

    [Fact] public void SafeTensorsFiles_Mutated_LoadOrNameTheByteOffset() => Holds(SafeTensorsFuzzTests.Target(), 20270101, SafeTensorsRegion);
    [Fact] public void CheckpointDirectories_Mutated_LoadOrNameTheFile() => Holds(CheckpointFuzzTests.GenericTarget(), 20270102);
    [Fact] public void LanguageModelCheckpoints_Mutated_LoadOrNameTheFile() => Holds(CheckpointFuzzTests.LanguageModelTarget(), 20270103);
    [Fact] public void ModuleWeights_Mutated_LoadOrNameTheFile() => Holds(ModuleWeightsTarget(), 20270104, SafeTensorsRegion);
    [Fact] public void EnsembleManifests_Mutated_LoadOrNameTheFile() => Holds(EnsembleTarget(), 20270105);
    [Fact] public void ArpaFiles_Mutated_LoadOrNameTheLine() => Holds(ArpaFuzzTests.Target(), 20270106);
    [Fact] public void Corpora_Mutated_LoadOrNameTheOffset() => Holds(CorpusFuzzTests.Target(), 20270107);
    [Fact] public void TabSeparatedSentences_Mutated_LoadOrNameTheLine() => Holds(LabeledTextFuzzTests.TabSeparatedTarget(), 20270108);
    [Fact] public void PolarityFiles_Mutated_LoadOrNameTheLine() => Holds(LabeledTextFuzzTests.PolarityTarget(), 20270109);
    [Fact] public void SentencePairs_Mutated_LoadOrNameTheLine() => Holds(ParallelCorpusFuzzTests.Target(), 20270110);
    [Fact] public void TimeSeriesCsv_Mutated_LoadOrNameTheLine() => Holds(TimeSeriesCsvFuzzTests.Target(), 20270111);
    [Fact] public void MetricsLogs_Mutated_LoadOrNameTheLine() => Holds(MetricsLogTarget(), 20270112);

    [Fact] public void SafeTensorsFiles_CutAtEveryOffset_LoadOrNameTheByteOffset() => EveryPrefixHolds(SafeTensorsFuzzTests.Target());
    [Fact] public void ArpaFiles_CutAtEveryOffset_LoadOrNameTheLine() => EveryPrefixHolds(ArpaFuzzTests.Target(), maxSeedBytes: 400);
    [Fact] public void EnsembleManifests_CutAtEveryOffset_LoadOrNameTheFile() => EveryPrefixHolds(EnsembleTarget());
    [Fact] public void MetricsLogs_CutAtEveryOffset_LoadOrNameTheLine() => EveryPrefixHolds(MetricsLogTarget());
    [Fact] public void TimeSeriesCsv_CutAtEveryOffset_LoadOrNameTheLine() => EveryPrefixHolds(TimeSeriesCsvFuzzTests.Target(), maxSeedBytes: 200);

    // Files whose counts claim far more than they hold: the reader refuses (or reads what is there) within the
    // allocation budget of a few-hundred-byte input, so no buffer is sized from the claim.
    [Theory]
    [InlineData("[65536, 65536]", "[0, 17179869184]")]
    [InlineData("[2147483647]", "[0, 8589934588]")]
    [InlineData("[1073741824, 4]", "[0, 16]")]
    [InlineData("[16]", "[0, 9223372036854775807]")]
    public void SafeTensorsFile_ClaimingAHugeTensor_IsRefusedWithoutAllocatingIt(string shape, string offsets)
    {
        byte[] header = Encoding.UTF8.GetBytes($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":{offsets}}}}}");
        byte[] file = [.. new byte[8], .. header, .. new byte[64]];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        using var dir = new Checkpoints.TempDir("huge-safetensors");
        Assert.Null(Outcome(SafeTensorsFuzzTests.Target(), 0, file, $"shape {shape}, offsets {offsets}", dir.Combine("huge.safetensors")));
        Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Parse(file, "huge.safetensors"));
    }

    [Theory]
    [InlineData(1UL << 40)]
    [InlineData(ulong.MaxValue)]
    [InlineData((ulong)int.MaxValue)]
    public void SafeTensorsFile_ClaimingAHugeHeader_IsRefusedWithoutAllocatingIt(ulong claimed)
    {
        byte[] file = (byte[])SafeTensorsFuzzTests.Seeds()[1].Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(file, claimed);
        using var dir = new Checkpoints.TempDir("huge-header");
        Assert.Null(Outcome(SafeTensorsFuzzTests.Target(), 1, file, $"header length {claimed}", dir.Combine("huge.safetensors")));
    }

    [Theory]
    [InlineData("2000000000")]
    [InlineData("2147483647")]
    [InlineData("9223372036854775807")]
    public void ArpaFile_ClaimingHugeCounts_IsReadWithoutAllocatingThem(string count)
    {
        byte[] file = Encoding.UTF8.GetBytes($"\\data\\\nngram 1={count}\n\n\\1-grams:\n-1.0\t<unk>\n0\t<s>\n-0.5\t</s>\n\n\\end\\\n");
        using var dir = new Checkpoints.TempDir("huge-arpa");
        Assert.Null(Outcome(ArpaFuzzTests.Target(), 0, file, $"ngram 1={count}", dir.Combine("model.arpa")));
    }

    // Whole-file edge cases every reader meets: nothing, a lone BOM, a newline, a BOM and CRLF.
    public static TheoryData<string, byte[]> EmptyFiles() => new()
    {
        { "empty", [] }, { "lone BOM", [0xEF, 0xBB, 0xBF] }, { "newline", [(byte)'\n'] }, { "BOM and CRLF", [0xEF, 0xBB, 0xBF, (byte)'\r', (byte)'\n'] },
    };

    [Theory]
    [MemberData(nameof(EmptyFiles))]
    public void MetricsLog_EmptyOrBlankFile_LoadsOrNamesTheLine(string what, byte[] bytes)
    {
        using var dir = new Checkpoints.TempDir("empty-metrics");
        Assert.Null(Outcome(MetricsLogTarget(), 0, bytes, what, dir.Combine("metrics.jsonl")));
    }
}
