using System.Diagnostics;
using SeqLearn.Checkpoints;
using SeqLearn.Cli;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;

namespace SeqLearn.Tests.Cli;

/// <summary>
/// The real CLI (<c>dotnet seqlearn.dll train</c>) killed at 10 seeded moments — the kill is the process's own SIGKILL
/// at a chosen point of its n-th checkpoint write (<see cref="CrashHook"/>, armed by this assembly's startup hook,
/// <c>StartupHook</c>), so the rename window is hit every time and nothing depends on timing. After each kill best/last
/// load, and <c>--resume</c> ends with exactly the files of a run that was never interrupted. The variable alone, without
/// the startup hook, kills nothing. Also: a second run on a held directory is refused naming the holder; a dead holder's
/// lock is taken over.
/// </summary>
public class CheckpointKillTests
{
    /// <summary>The child's kill point, <c>{write}:{point}</c>, read only by this assembly's <c>StartupHook</c>.</summary>
    internal const string KillAtVariable = "SEQLEARN_TEST_KILL_AT";

    // 12 steps, an evaluation every 2: last written at each of the 6 evaluations, best at the first and at every later one
    // that improves, then last once more: from 8 directory writes (no improvement after the first) to 13 (one at each).
    private static readonly string[] Training = ["train", "--max-steps", "12", "--eval-every", "2", "--batch", "2", "--bptt", "8",
        "--embedding", "4", "--hidden", "8", "--threads", "1", "--sample", "0", "--seed", "7"];

    private static readonly string[] Points = [CrashHook.Before, CrashHook.FileWritten, CrashHook.Filled, CrashHook.MovedOld, CrashHook.MovedNew];

    private static string Corpus(TempDir dir)
    {
        string[] words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far"];
        var rng = new SeededRng(11);
        var lines = Enumerable.Range(0, 50).Select(_ => string.Join(' ', Enumerable.Range(0, 8).Select(_ => words[rng.NextInt(words.Length)])));
        string path = dir.Combine("corpus.txt");
        File.WriteAllLines(path, lines);
        return path;
    }

    // killAt: the CrashHook target, armed by loading this test assembly as the child's startup hook; hookless: the
    // variable set without the hook, as a user's environment might hold it.
    private static Process Start(string[] args, string? killAt, bool hookless = false)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(host, [Path.Combine(AppContext.BaseDirectory, "seqlearn.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment.Remove(KillAtVariable);
        psi.Environment.Remove(StartupHooks);
        if (killAt is not null)
        {
            psi.Environment[KillAtVariable] = killAt;
            if (!hookless) psi.Environment[StartupHooks] = typeof(CheckpointKillTests).Assembly.Location;
        }
        return Process.Start(psi)!;
    }

    private const string StartupHooks = "DOTNET_STARTUP_HOOKS";

    private static (int Code, string Output, string Error) Run(string[] args, string? killAt = null, bool hookless = false)
    {
        using var process = Start(args, killAt, hookless);
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), $"seqlearn {string.Join(' ', args)} did not finish");
        return (process.ExitCode, output, error.Result);
    }

    private static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [Fact]
    public void KilledAt10SeededMoments_BestAndLastLoad_AndResumeEndsBitIdentical()
    {
        using var tmp = new TempDir("kill");
        string corpus = Corpus(tmp);
        string reference = tmp.Combine("reference");
        var (code, _, error) = Run([.. Training, "--corpus", corpus, "--checkpoint", reference]);
        Assert.True(code == 0, error);
        var expected = Files(Path.Combine(reference, "last"));
        Assert.Equal(3, expected.Count);   // weights, optimizer, manifest

        var rng = new SeededRng(2026);
        for (int moment = 0; moment < 10; moment++)
        {
            string point = Points[moment % Points.Length];
            int write = 3 + rng.NextInt(6);    // after the first best and last exist, and within the 8 writes every run makes: 3..8
            string run = tmp.Combine($"run{moment}"), what = $"moment {moment} (write {write}, {point})";
            (code, _, error) = Run([.. Training, "--corpus", corpus, "--checkpoint", run], killAt: $"{write}:{point}");
            Assert.True(code != 0 && error.Contains("killing the process", StringComparison.Ordinal), $"{what}: not killed (exit {code}): {error}");
            if (point == CrashHook.MovedOld)   // inside the rename window: the directory itself is missing
                Assert.Contains(new[] { "best", "last" }, x => !Directory.Exists(Path.Combine(run, x)) && Directory.Exists(Path.Combine(run, x + ".old"))
                                                               && Directory.Exists(Path.Combine(run, x + ".tmp")));
            foreach (string x in new[] { "best", "last" })
                Assert.InRange(Checkpoint.Load<float>(Path.Combine(run, x)).Step, 2, 12);
            Assert.Equal(4, LanguageModelCheckpoint.Load(run).Model.Config.EmbeddingSize);

            (code, string output, error) = Run([.. Training, "--corpus", corpus, "--checkpoint", run, "--resume", run]);
            Assert.True(code == 0, $"{what}: resume failed: {error}");
            Assert.Contains("resumed at step", output);
            var actual = Files(Path.Combine(run, "last"));
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (name, bytes) in expected)
                Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{what}: last/{name} differs from the uninterrupted run's");
            Assert.Equal(["best", "last", CheckpointDirectoryLock.FileName], Directory.GetFileSystemEntries(run).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void KillVariableWithoutTheTestsStartupHook_IsIgnored()
    {
        using var tmp = new TempDir("kill-ignored");
        string run = tmp.Combine("run");
        var (code, _, error) = Run([.. Training, "--corpus", Corpus(tmp), "--checkpoint", run], killAt: $"1:{CrashHook.Before}", hookless: true);
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.DoesNotContain("killing the process", error, StringComparison.Ordinal);
        Assert.Equal(12, Checkpoint.Load<float>(Path.Combine(run, "last")).Step);
    }

    [Fact]
    public void SecondRunOnAHeldDirectory_IsRefusedNamingTheHolder_AndADeadHoldersLockIsTakenOver()
    {
        using var tmp = new TempDir("lock-cli");
        string corpus = Corpus(tmp), run = tmp.Combine("run"), lockFile = Path.Combine(run, CheckpointDirectoryLock.FileName), metrics = tmp.Combine("m.jsonl");
        using var holder = Start([.. Training[..1], "--corpus", corpus, "--checkpoint", run, "--time-budget", "120", "--eval-every", "1000000",
            "--batch", "2", "--bptt", "8", "--embedding", "4", "--hidden", "8", "--threads", "1", "--sample", "0", "--metrics", metrics], killAt: null);
        try
        {
            // Wait for the holder to take the lock (a condition, not a duration; the bound only stops a broken run).
            var clock = Stopwatch.StartNew();
            while (!(File.Exists(lockFile) && ReadShared(lockFile).Contains($"pid {holder.Id} ", StringComparison.Ordinal)))
            {
                if (holder.HasExited) Assert.Fail($"the holder exited: {holder.StandardError.ReadToEnd()}");
                if (clock.Elapsed > TimeSpan.FromSeconds(90)) Assert.Fail("the holder never took the lock");
                Thread.Sleep(50);
            }
            var output = new StringWriter();
            var error = new StringWriter();
            int code = CliApp.Run([.. Training, "--corpus", corpus, "--checkpoint", run], output, error);
            Assert.Equal(1, code);
            Assert.StartsWith("error: ", error.ToString());
            Assert.Contains("is in use by another training run", error.ToString());
            Assert.Contains($"pid {holder.Id} ", error.ToString());
            // Another checkpoint directory but the holder's metrics log: refused too (the holder opened it before its lock).
            error = new StringWriter();
            Assert.Equal(1, CliApp.Run([.. Training, "--corpus", corpus, "--checkpoint", tmp.Combine("run2"), "--metrics", metrics], output, error));
            Assert.Contains($"metrics log '{metrics}' is being written by another run", error.ToString());
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
        Assert.True(File.Exists(lockFile));   // the dead holder's file stays, but no system lock is held on it
        var again = new StringWriter();
        Assert.True(CliApp.Run([.. Training, "--corpus", corpus, "--checkpoint", run], new StringWriter(), again) == 0, again.ToString());
        Assert.Contains($"pid {Environment.ProcessId} ", ReadShared(lockFile));
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }
}
