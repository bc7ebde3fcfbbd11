using System.Diagnostics;
using System.Globalization;
using SeqLearn.NGrams;
using SeqLearn.Text;

namespace SeqLearn.Benchmarks;

/// <summary>
/// <c>compare ngram [ptbDir]</c>: wall-clock phases of building a modified Kneser-Ney 5-gram from PTB train
/// (median of several runs), scaling of counting with 1×, 2×, 4× the corpus, and scoring throughput of the
/// loaded model. <c>compare ngram-table [ptbDir]</c>: PTB test perplexity for orders 2..5 and every estimator
/// (the table in docs/ngram.md).
/// </summary>
public static class NGramComparison
{
    /// <summary>The PTB folder (the argument, or shared/data/ptb above the binary), or null after saying why.</summary>
    private static string? PtbDir(string[] args)
    {
        string? dir = args.Length > 0 ? args[0] : null;
        if (dir is null)
        {
            try { dir = PtbFolder.Find(); }
            catch (DirectoryNotFoundException e) { Console.Error.WriteLine($"compare ngram: {e.Message}"); return null; }
        }
        foreach (string name in new[] { "ptb.train.txt", "ptb.test.txt" })
            if (!File.Exists(Path.Combine(dir, name)))
            {
                Console.Error.WriteLine($"compare ngram: {Path.Combine(dir, name)} not found (pass the PTB folder as the argument).");
                return null;
            }
        return dir;
    }

    /// <summary>Build, scaling and scoring timings.</summary>
    public static int Run(string[] args)
    {
        if (PtbDir(args) is not { } ptb) return 1;
        const int runs = 5, order = 5;
        string[] train = TextFile.ReadLines(Path.Combine(ptb, "ptb.train.txt"));
        string[] test = TextFile.ReadLines(Path.Combine(ptb, "ptb.test.txt"));
        Console.WriteLine($"# n-gram benchmark {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {MachineInfo.Describe()}");

        // Warm-up (JIT) on a slice, then median of `runs` full builds.
        new ModifiedKneserNey().Estimate(NGramCounts.Count(train[..5000], order));
        var cpu = new List<double>(); var build = new List<double>(); var buildAndWrite = new List<double>();
        var read = new List<double>(); var count = new List<double>(); var estimate = new List<double>(); var write = new List<double>(); var load = new List<double>();
        string arpa = Path.Combine(Path.GetTempPath(), $"seqlearn-bench-{Environment.ProcessId}.arpa");
        BackoffModel model = null!;
        long countBytes = 0;
        for (int r = 0; r < runs; r++)
        {
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            string[] lines = TextFile.ReadLines(Path.Combine(ptb, "ptb.train.txt"));
            read.Add(Lap(clock));
            NGramCounts counts = NGramCounts.Count(lines, order);
            count.Add(Lap(clock));
            model = new ModifiedKneserNey().Estimate(counts);
            estimate.Add(Lap(clock));
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
            ArpaWriter.Write(model, arpa);
            write.Add(Lap(clock));
            model = ArpaReader.Read(arpa);
            load.Add(Lap(clock));
            build.Add(read[^1] + count[^1] + estimate[^1]);
            buildAndWrite.Add(build[^1] + write[^1]);
            countBytes = counts.Bytes;
        }
        File.Delete(arpa);
        var indexClock = Stopwatch.StartNew();
        model.LogProb10(model.BeginSentence(), model.Vocabulary.EosId, null); // first query builds the scoring index
        double indexSeconds = indexClock.Elapsed.TotalSeconds;
        Console.WriteLine($"MKN {order}-gram on PTB train ({train.Length:N0} lines), median of {runs} runs (seconds):");
        Console.WriteLine($"  read {Median(read):F3}  count {Median(count):F3}  estimate {Median(estimate):F3}  write ARPA {Median(write):F3}  read ARPA {Median(load):F3}");
        Console.WriteLine($"  build (read+count+estimate) {Median(build):F3} wall, {Median(cpu):F3} CPU; +write ARPA {Median(buildAndWrite):F3} wall");
        Console.WriteLine($"  scoring index built on first query of the loaded model: {indexSeconds:F3} s");
        Console.WriteLine($"  count tables {countBytes / 1e6:F0} MB, model {model.Bytes / 1e6:F0} MB, peak working set so far {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");

        Scaling(train, order);

        // Scoring: ids pre-encoded (model speed) and text (tokenise + look up + score), test set repeated to ~1M tokens.
        string[] repeated = Enumerable.Repeat(test, 12).SelectMany(l => l).ToArray();
        long oovs = 0;
        int[][] ids = repeated.Select(l => model.Vocabulary.EncodeSentence(l, ref oovs)).ToArray();
        long tokens = ids.Sum(s => (long)s.Length - 1);
        var idRate = new List<double>(); var textRate = new List<double>(); var idCpuRate = new List<double>();
        double sink = 0;
        for (int r = 0; r < runs + 1; r++)
        {
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            sink += ScoreIds(model, ids);
            double ti = clock.Elapsed.TotalSeconds;
            double ci = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            clock.Restart();
            sink += model.Evaluate(repeated).TotalLogProb;
            double tt = clock.Elapsed.TotalSeconds;
            if (r == 0) continue; // warm-up
            idRate.Add(tokens / ti / 1e6);
            idCpuRate.Add(tokens / ci / 1e6);
            textRate.Add(tokens / tt / 1e6);
        }
        Console.WriteLine($"Scoring with the loaded 5-gram, one thread, {tokens:N0} tokens, median of {runs}: ids {Median(idRate):F2} M tokens/s wall ({Median(idCpuRate):F2} per CPU-second), text {Median(textRate):F2} M tokens/s (checksum {sink:E3})");
        return 0;
    }

    /// <summary>Counting and MKN estimation for 1×, 2×, 4× PTB train, timed separately (median of 3).</summary>
    public static void Scaling(string[] train, int order)
    {
        // Copy c of the corpus has every word relabelled (w → w~c), so distinct n-grams, vocabulary and counts of
        // counts all grow exactly c-fold: the worst case for memory, and MKN discounts stay defined.
        Console.WriteLine("Scaling, 1x/2x/4x PTB train (copies relabelled so distinct n-grams grow linearly), median of 3:");
        foreach (int times in new[] { 1, 2, 4 })
        {
            string[] big = Enumerable.Range(0, times)
                .SelectMany(c => c == 0 ? train : train.Select(l => string.Join(' ', TokenVocabulary.Tokenize(l).Select(w => $"{w}~{c}"))))
                .ToArray();
            var countWall = new List<double>(); var countCpu = new List<double>(); var estWall = new List<double>(); var estCpu = new List<double>();
            long allocated = 0, bytes = 0;
            for (int r = 0; r < 3; r++)
            {
                GC.Collect();
                long before = GC.GetTotalAllocatedBytes(true);
                TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                NGramCounts counts = NGramCounts.Count(big, order);
                countWall.Add(clock.Elapsed.TotalSeconds);
                TimeSpan cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
                countCpu.Add((cpu1 - cpu0).TotalSeconds);
                clock.Restart();
                new ModifiedKneserNey().Estimate(counts);
                estWall.Add(clock.Elapsed.TotalSeconds);
                estCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu1).TotalSeconds);
                allocated = GC.GetTotalAllocatedBytes(true) - before;
                bytes = counts.Bytes;
            }
            Console.WriteLine($"  {times}x ({big.Length:N0} lines): count {Median(countWall):F3} s wall / {Median(countCpu):F3} s CPU, " +
                              $"estimate {Median(estWall):F3} s wall / {Median(estCpu):F3} s CPU, count tables {bytes / 1e6:F0} MB, allocated {allocated / 1e6:F0} MB");
        }
    }

    private static double ScoreIds(BackoffModel model, int[][] sentences)
    {
        double total = 0;
        NGramState state = model.EmptyState(), start = model.BeginSentence();
        foreach (int[] s in sentences)
        {
            state.CopyFrom(start);
            for (int i = 1; i < s.Length; i++) total += model.LogProb10(state, s[i], state);
        }
        return total;
    }

    /// <summary>Only the scaling part of <see cref="Run"/>.</summary>
    public static int ScalingOnly(string[] args)
    {
        if (PtbDir(args) is not { } ptb) return 1;
        Scaling(TextFile.ReadLines(Path.Combine(ptb, "ptb.train.txt")), 5);
        return 0;
    }

    /// <summary>PTB test perplexity (incl. OOVs, i.e. &lt;unk&gt; scored as a word) for orders 2..5 and every estimator, as a markdown table.</summary>
    public static int Table(string[] args)
    {
        if (PtbDir(args) is not { } ptb) return 1;
        string[] train = TextFile.ReadLines(Path.Combine(ptb, "ptb.train.txt"));
        string[] test = TextFile.ReadLines(Path.Combine(ptb, "ptb.test.txt"));
        INGramEstimator[] estimators = [new MaximumLikelihood(), new AddK(1), new AddK(0.01), new WittenBell(), new AbsoluteDiscounting(), new KneserNey(), new ModifiedKneserNey(), new StupidBackoff()];
        Console.WriteLine($"PTB test perplexity ({test.Length:N0} lines), trained on PTB train; generated {DateTime.UtcNow:yyyy-MM-dd} by `dotnet run -c Release --project Engine.Benchmarks -- compare ngram-table`\n");
        Console.WriteLine("| estimator | 2-gram | 3-gram | 4-gram | 5-gram |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var counts = Enumerable.Range(2, 4).Select(n => NGramCounts.Count(train, n)).ToArray();
        foreach (INGramEstimator estimator in estimators)
        {
            string name = estimator is AddK a ? $"addk (k={a.K.ToString(CultureInfo.InvariantCulture)})" : estimator.Name;
            var cells = counts.Select(c =>
            {
                double ppl = estimator.Estimate(c).Evaluate(test).Perplexity;
                return double.IsFinite(ppl) && ppl < 1e12 ? ppl.ToString("F1", CultureInfo.InvariantCulture) : "∞";
            });
            Console.WriteLine($"| {name} | {string.Join(" | ", cells)} |");
        }
        return 0;
    }

    private static double Lap(Stopwatch clock)
    {
        double s = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return s;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
