using System.Diagnostics;
using System.Globalization;
using SeqLearn.Tensors;
using SeqLearn.Text;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>One mutated input: its index in the run, the seed input it came from, the mutations applied, its bytes and the path it is written to.</summary>
public sealed class FuzzCase(int index, int seedIndex, string mutations, byte[] bytes, string path)
{
    /// <summary>Which of <see cref="FuzzTarget.Seeds"/> was mutated.</summary>
    public int SeedIndex { get; } = seedIndex;

    /// <summary>Index of the input in the run (with the seed, enough to regenerate it).</summary>
    public int Index { get; } = index;

    /// <summary>The mutations applied to the seed input, in order.</summary>
    public string Mutations { get; } = mutations;

    /// <summary>The mutated bytes.</summary>
    public byte[] Bytes { get; } = bytes;

    /// <summary>The path the reader is given (a file, or a directory for checkpoints).</summary>
    public string Path { get; } = path;
}

/// <summary>
/// A reader under test. <see cref="Parse"/> reads the case's file and returns what the reader returned; the
/// harness measures what it allocates. A documented rejection is an exception for which
/// <see cref="IsFormatError"/> holds and whose message <see cref="NamesLocation"/> (file and line or byte offset).
/// An accepted input goes through <see cref="CheckAccepted"/>, which throws <see cref="FuzzInvariantException"/> when
/// the result shows the input should not have been accepted.
/// </summary>
public sealed class FuzzTarget
{
    /// <summary>Short name of the reader (used in the summary, the file names and the seed).</summary>
    public required string Reader { get; init; }

    /// <summary>Valid inputs that mutations start from.</summary>
    public required IReadOnlyList<byte[]> Seeds { get; init; }

    /// <summary>File name the bytes are written to inside the run's temporary folder.</summary>
    public string FileName { get; init; } = "input.txt";

    /// <summary>Mutates a seed (defaults to <see cref="Mutator.Mutate"/>).</summary>
    public Func<byte[], SeededRng, List<string>, byte[]> Mutate { get; init; } = Mutator.Mutate;

    /// <summary>Writes the case to disk (defaults to writing <see cref="FuzzCase.Bytes"/> to <see cref="FuzzCase.Path"/>).</summary>
    public Action<FuzzCase> Materialise { get; init; } = c => File.WriteAllBytes(c.Path, c.Bytes);

    /// <summary>Reads the case with the reader under test.</summary>
    public required Func<FuzzCase, object> Parse { get; init; }

    /// <summary>The reader's documented format exception type(s).</summary>
    public required Func<Exception, bool> IsFormatError { get; init; }

    /// <summary>True when the exception's message names the case's file and a line or byte offset.</summary>
    public required Func<FuzzCase, Exception, bool> NamesLocation { get; init; }

    /// <summary>Whether an invalid-UTF-8 error must point at the input's first invalid byte (false for binary files, which check it in <see cref="NamesLocation"/>).</summary>
    public bool IsText { get; init; } = true;

    /// <summary>Whether the summary goes to the SEQLEARN_FUZZ_REPORT file (false for the harness's self-tests).</summary>
    public bool WriteReport { get; init; } = true;

    /// <summary>Checks the result of an accepted input (throw <see cref="FuzzInvariantException"/> when it is wrong).</summary>
    public required Action<FuzzCase, object> CheckAccepted { get; init; }
}

/// <summary>An accepted input whose result breaks what a valid input guarantees.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);

/// <summary>The counts of one fuzz run.</summary>
public sealed record FuzzSummary(string Reader, int Inputs, int Accepted, int Rejected, int Failures, long MaxAllocated, long MaxInputBytes, double SlowestMs, int SlowestInput, double TotalSeconds, double CpuSeconds)
{
    /// <summary>One line for logs and docs/reliability.md.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Reader,-12} inputs {Inputs,7}  accepted {Accepted,6}  rejected {Rejected,7}  crashes {Failures,3}  max allocated {MaxAllocated / 1048576.0,6:F1} MB  largest input {MaxInputBytes / 1048576.0,5:F2} MB  slowest {SlowestMs,6:F0} ms (input {SlowestInput})  total {TotalSeconds,6:F1} s  CPU {CpuSeconds,6:F1} s");
}

/// <summary>
/// Runs a <see cref="FuzzTarget"/> over mutated inputs from fixed seeds and fails with every crash it finds.
/// Settings come from the environment: <c>SEQLEARN_FUZZ_ITERATIONS</c> (inputs per reader, default 2,000),
/// <c>SEQLEARN_FUZZ_SEED</c> (default 20), <c>SEQLEARN_FUZZ_ONLY</c> (run one input index, to reproduce a failure) and
/// <c>SEQLEARN_FUZZ_REPORT</c> (a file the summary line is appended to; scripts/fuzz.sh sets it).
/// </summary>
/// <remarks>
/// Memory bound: a reader may allocate at most <see cref="FixedBudgetBytes"/> + <see cref="BudgetPerInputByte"/> × the
/// input's size while parsing one input (counted by <see cref="GC.GetAllocatedBytesForCurrentThread"/>, which
/// over-counts — it includes every temporary). The inputs are at most a few MB, so any input that makes a reader size
/// a table from a count in the file (an ARPA header, a safetensors shape) instead of from its content fails it by
/// orders of magnitude, far below the 1 GB the reliability bar allows.
/// </remarks>
public static class FuzzHarness
{
    /// <summary>Fixed part of the per-input allocation budget.</summary>
    public const long FixedBudgetBytes = 64L << 20;

    /// <summary>Allocation budget per byte of input.</summary>
    public const long BudgetPerInputByte = 32;

    /// <summary>Inputs per reader (SEQLEARN_FUZZ_ITERATIONS, default 2,000).</summary>
    public static int Iterations => Environment.GetEnvironmentVariable("SEQLEARN_FUZZ_ITERATIONS") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : 2000;

    /// <summary>The run's seed (SEQLEARN_FUZZ_SEED, default 20).</summary>
    public static ulong Seed => Environment.GetEnvironmentVariable("SEQLEARN_FUZZ_SEED") is { Length: > 0 } s ? ulong.Parse(s, CultureInfo.InvariantCulture) : 20;

    private static int? Only => Environment.GetEnvironmentVariable("SEQLEARN_FUZZ_ONLY") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : null;

    /// <summary>The generator of input <paramref name="index"/> of <paramref name="reader"/>: a pure function of (seed, reader, index).</summary>
    public static SeededRng RngFor(string reader, ulong seed, int index)
    {
        ulong h = 14695981039346656037UL; // FNV-1a of the reader name: stable across processes, unlike string.GetHashCode
        foreach (char c in reader) h = (h ^ c) * 1099511628211UL;
        return new SeededRng(h ^ (seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)index << 32 | (uint)index));
    }

    /// <summary>Input <paramref name="index"/> of a run: which seed input and which mutations.</summary>
    public static (int SeedIndex, byte[] Bytes, string Mutations) Generate(FuzzTarget target, ulong seed, int index)
    {
        var rng = RngFor(target.Reader, seed, index);
        int which = rng.NextInt(target.Seeds.Count);
        var log = new List<string> { $"seed input {which}" };
        byte[] bytes = target.Mutate(target.Seeds[which], rng, log);
        return (which, bytes, string.Join("; ", log));
    }

    /// <summary>Runs the target, writes the summary, and fails listing the first crashes (with how to reproduce each).</summary>
    public static FuzzSummary Run(FuzzTarget target, ITestOutputHelper? output = null, int? iterations = null)
    {
        ulong seed = Seed;
        int first = Only ?? 0, last = Only ?? (iterations ?? Iterations) - 1;
        string dir = Path.Combine(Path.GetTempPath(), $"seqlearn-fuzz-{target.Reader}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var failures = new List<string>();
        int accepted = 0, rejected = 0, failed = 0;
        long maxAllocated = 0, maxInput = 0;
        double slowest = 0;
        int slowestInput = -1;
        var total = Stopwatch.StartNew();
        double cpuBefore = ThreadCpuSeconds();
        try
        {
            for (int i = first; i <= last; i++)
            {
                var (which, bytes, mutations) = Generate(target, seed, i);
                var c = new FuzzCase(i, which, mutations, bytes, Path.Combine(dir, target.FileName));
                target.Materialise(c);
                maxInput = Math.Max(maxInput, bytes.LongLength);
                long before = GC.GetAllocatedBytesForCurrentThread();
                long started = Stopwatch.GetTimestamp();
                object? result = null;
                Exception? error = null;
                try { result = target.Parse(c); }
                catch (Exception e) { error = e; }
                double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (ms > slowest) (slowest, slowestInput) = (ms, i);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                maxAllocated = Math.Max(maxAllocated, allocated);

                string? problem = Judge(target, c, result, error, allocated);
                if (error is null) accepted++;
                else if (problem is null) rejected++;
                if (problem is not null)
                {
                    failed++;
                    if (failures.Count < 12)
                        failures.Add($"[{target.Reader} input {i}, reproduce with SEQLEARN_FUZZ_SEED={seed} SEQLEARN_FUZZ_ONLY={i}] {mutations}\n" +
                                     $"  input: {Mutator.Preview(bytes)}\n  {problem}");
                }
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
        var summary = new FuzzSummary(target.Reader, last - first + 1, accepted, rejected, failed, maxAllocated, maxInput, slowest, slowestInput, total.Elapsed.TotalSeconds, ThreadCpuSeconds() - cpuBefore);
        output?.WriteLine(summary.ToString());
        if (target.WriteReport && Environment.GetEnvironmentVariable("SEQLEARN_FUZZ_REPORT") is { Length: > 0 } report)
            lock (ReportLock) File.AppendAllText(report, summary + Environment.NewLine);
        if (failures.Count > 0)
            Assert.Fail($"{failed} of {summary.Inputs} {target.Reader} inputs failed (seed {seed}):\n\n{string.Join("\n\n", failures)}");
        Assert.True(accepted > 0 && rejected > 0 || summary.Inputs < 100,
            $"{target.Reader}: {accepted} accepted and {rejected} rejected of {summary.Inputs}; a useful run has both.");
        return summary;
    }

    private static readonly object ReportLock = new();

    /// <summary>
    /// What is wrong with the outcome of reading <paramref name="c"/> (null when nothing is): a result that fails
    /// <see cref="FuzzTarget.CheckAccepted"/>, an exception other than the documented format error, a message that does
    /// not name the file and a line or byte offset (or the first invalid UTF-8 byte), or an allocation beyond the budget.
    /// </summary>
    public static string? Judge(FuzzTarget target, FuzzCase c, object? result, Exception? error, long allocated)
    {
        string? problem = null;
        if (error is null)
        {
            try { target.CheckAccepted(c, result!); }
            catch (Exception e) { problem = $"accepted, but {e.GetType().Name}: {e.Message}"; }
        }
        else if (!target.IsFormatError(error)) problem = $"crash: {error.GetType().FullName}: {error.Message}\n{Top(error)}";
        else if (!target.NamesLocation(c, error)) problem = $"{error.GetType().Name} whose message does not name the file and a line or byte offset: {error.Message}";
        else if (target.IsText && !PointsAtInvalidUtf8(c.Bytes, error.Message)) problem = $"{error.GetType().Name} does not point at the first invalid UTF-8 byte ({TextFile.FindInvalidUtf8(c.Bytes)?.ToString() ?? "the input is valid UTF-8"}): {error.Message}";

        long budget = FixedBudgetBytes + BudgetPerInputByte * c.Bytes.LongLength;
        if (problem is null && allocated > budget)
            problem = $"allocated {allocated:N0} bytes for a {c.Bytes.Length:N0}-byte input (budget {budget:N0})";
        return problem;
    }

    // CPU time of the calling thread (user + system), from /proc/thread-self/stat on Linux; NaN elsewhere. Unlike
    // wall time it does not grow with the machine's load, so it is the cost to compare across runs.
    private static double ThreadCpuSeconds()
    {
        try
        {
            string stat = File.ReadAllText("/proc/thread-self/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from the 3rd on; utime and stime are the 14th and 15th
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0; // USER_HZ = 100 on Linux
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return double.NaN;
        }
    }

    /// <summary>
    /// True unless <paramref name="message"/> reports invalid UTF-8 somewhere else than at the first invalid byte of
    /// <paramref name="bytes"/> (by byte offset, or by line and byte of the line, counted with or without a leading BOM).
    /// </summary>
    public static bool PointsAtInvalidUtf8(byte[] bytes, string message)
    {
        if (!message.Contains("invalid UTF-8", StringComparison.Ordinal) && !message.Contains("not valid UTF-8", StringComparison.Ordinal)) return true;
        if (TextFile.FindInvalidUtf8(bytes) is not { } full) return false;
        var afterBom = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? TextFile.FindInvalidUtf8(bytes.AsSpan(3)) : full;
        foreach (var bad in new[] { full, afterBom!.Value })
        {
            if (message.Contains($"byte offset {bad.Offset}", StringComparison.Ordinal) || message.Contains($" at byte {bad.Offset}: ", StringComparison.Ordinal)) return true;
            if (message.Contains($":{bad.Line}: ", StringComparison.Ordinal) && message.Contains($"byte {bad.Column} of the line", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static string Top(Exception e) =>
        string.Join("\n", (e.StackTrace ?? "").Split('\n').Take(6).Select(l => "    " + l.Trim()));
}
