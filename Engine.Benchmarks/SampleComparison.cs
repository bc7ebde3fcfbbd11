using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SeqLearn.Generation;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Text;

namespace SeqLearn.Benchmarks;

/// <summary>
/// <c>compare sample</c>: characters per second when sampling at batch 1 from the tiny-shakespeare char-LM
/// configuration (V = 65, E = 64, 2-layer LSTM, H = 256, random init, τ = 1), prompt "ROMEO:\n" included, as
/// PyTorch's <c>scripts/lm_torch.py sample</c> measures it. SeqLearn runs <see cref="LanguageModelStepper"/>
/// with <see cref="Sampler"/> on one thread and on a 2-thread <see cref="WorkerPool"/>, each with float32, bfloat16
/// and int8 matrices (<see cref="StepperPrecision"/>), and through the
/// <see cref="TextGenerator"/> façade the CLI uses; the median of the repeats is reported. PyTorch runs with 1 and
/// with 2 intra-op threads and its faster rate is the baseline. The last line is the ratio for what
/// <c>seqlearn generate</c> does by default on this 2-core machine: exact float32 weights on 2 threads (the text is
/// bit-identical to one thread's); the lines before it give the one-thread, bf16 and int8 ratios too.
/// </summary>
public static class SampleComparison
{
    private const string Prompt = "ROMEO:\n";

    /// <summary>Options: <c>--chars N</c> (default 20000), <c>--repeats N</c> (5), <c>--torch-script PATH</c>, <c>--no-torch</c>.</summary>
    public static int Run(string[] args, BaselineEnvironment baseline)
    {
        int chars = IntOption(args, "--chars", 20_000), repeats = IntOption(args, "--repeats", 5);
        var vocabulary = TinyShakespeareVocabulary();
        var config = new LanguageModelConfig(vocabulary.Count, EmbeddingSize: 64, HiddenSize: 256, NumLayers: 2);
        var model = new LanguageModel<float>(config, new SeededRng(1));
        model.Eval();
        int[] prompt = vocabulary.Encode(Prompt);
        Console.WriteLine($"compare sample: batch 1, V={config.VocabularySize}, E=64, 2-layer LSTM H=256, τ=1, {chars} chars after \"ROMEO:\\n\", median of {repeats}");
        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"baseline: {BaselineEnvironment.DescribePyTorch() ?? "PyTorch not found"}; {baseline.DescribeOpenBlas()}");

        var rates = new Dictionary<(StepperPrecision, int), double>();
        using (var pool = new WorkerPool(2))
            foreach (var precision in new[] { StepperPrecision.Float32, StepperPrecision.BFloat16, StepperPrecision.Int8 })
                foreach (int threads in new[] { 1, 2 })
                {
                    var stepper = new LanguageModelStepper(model, threads == 2 ? pool : null, precision);
                    double rate = rates[(precision, threads)] = Median(repeats, () => Rate(stepper, prompt, chars));
                    string path = $"SeqLearn stepper {Name(precision)}, {(threads == 1 ? "1 thread:" : "2-thread pool:")}";
                    Console.WriteLine($"{path,-38}{rate,10:F0} chars/s   (load {MachineInfo.LoadAverage()})");
                }
        double ours = rates[(StepperPrecision.Float32, 1)], two = rates[(StepperPrecision.Float32, 2)];
        var generator = new TextGenerator(model, vocabulary);
        double facade = Median(repeats, () =>
        {
            var sw = Stopwatch.StartNew();
            int n = generator.Generate(Prompt, chars, new SamplingOptions(), new SeededRng(7)).Count();
            return n / sw.Elapsed.TotalSeconds;
        });
        Console.WriteLine($"SeqLearn TextGenerator, 1 thread:    {facade,10:F0} chars/s   (load {MachineInfo.LoadAverage()})");

        if (args.Contains("--no-torch")) return 0;
        if (TorchRate(args, chars, threads: 1) is not { } t1) return 1;
        Console.WriteLine($"PyTorch lm_torch.py sample, 1 thread: {t1,9:F0} chars/s   (load {MachineInfo.LoadAverage()})");
        if (TorchRate(args, chars, threads: 2) is not { } t2) return 1;
        Console.WriteLine($"PyTorch lm_torch.py sample, 2 threads:{t2,9:F0} chars/s   (load {MachineInfo.LoadAverage()})");
        double t = Math.Max(t1, t2);                                  // PyTorch's best setting here
        string R(double x) => (x / t).ToString("F2", CultureInfo.InvariantCulture);
        string Best(StepperPrecision p) => R(Math.Max(rates[(p, 1)], rates[(p, 2)]));
        Console.WriteLine($"vs PyTorch's best: float32 1 thread {R(ours)}, 2 threads {R(two)}; bf16 best {Best(StepperPrecision.BFloat16)}; int8 best {Best(StepperPrecision.Int8)}");
        Console.WriteLine($"int8 sample ratio vs PyTorch (lstm, H=256, batch 1, int8 weights, best of 1 and 2 threads): {Best(StepperPrecision.Int8)}");
        // The last line is seqlearn generate's default: exact float32 weights, 2 threads on a machine with 2 cores.
        Console.WriteLine($"sample ratio vs PyTorch (lstm, H=256, batch 1, float32, 2 threads): {R(two)}");
        return 0;
    }

    private static string Name(StepperPrecision precision) => precision switch
    {
        StepperPrecision.BFloat16 => "bf16",
        StepperPrecision.Int8 => "int8",
        _ => "float32",
    };

    /// <summary>Chars/s of one generation: prime with the prompt, then sample and feed back <paramref name="chars"/> tokens.</summary>
    private static double Rate(LanguageModelStepper stepper, int[] prompt, int chars)
    {
        var sampler = new Sampler(stepper.VocabularySize);
        var options = new SamplingOptions();
        var rng = new SeededRng(7);
        var logits = new float[stepper.VocabularySize];
        var sw = Stopwatch.StartNew();
        var state = stepper.InitialState();
        foreach (int id in prompt) stepper.Advance(id, state, logits);
        for (int n = 0; n < chars; n++) stepper.Advance(sampler.Sample(logits, options, rng), state, logits);
        return chars / sw.Elapsed.TotalSeconds;
    }

    private static double? TorchRate(string[] args, int chars, int threads)
    {
        int at = Array.IndexOf(args, "--torch-script");
        string script = at >= 0 && at + 1 < args.Length ? args[at + 1] : Path.Combine("scripts", "lm_torch.py");
        if (!File.Exists("/usr/bin/python3") || !File.Exists(script))
        {
            Console.Error.WriteLine($"compare sample: needs /usr/bin/python3 with torch (scripts/install-baselines.sh) and {script} (or --torch-script PATH).");
            return null;
        }
        var info = new ProcessStartInfo("/usr/bin/python3", [script, "sample", "--chars", chars.ToString(CultureInfo.InvariantCulture),
            "--threads", threads.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("compare sample: could not start /usr/bin/python3.");
        string[] lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        if (process.ExitCode != 0 || lines.Length == 0)
        {
            Console.Error.WriteLine($"compare sample: {script} exited with code {process.ExitCode}.");
            return null;
        }
        using var json = JsonDocument.Parse(lines[^1]);
        return json.RootElement.GetProperty("chars_per_s").GetDouble();
    }

    /// <summary>The characters of /work/shared/data/tinyshakespeare/input.txt (65), or 65 stand-ins when it is absent.</summary>
    private static CharVocabulary TinyShakespeareVocabulary()
    {
        const string path = "/work/shared/data/tinyshakespeare/input.txt";
        if (File.Exists(path)) return CharVocabulary.Build(TextFile.ReadAllText(path));
        return CharVocabulary.Build(Prompt + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLNPQSTUVWXYZ0123456789");
    }

    private static double Median(int repeats, Func<double> run)
    {
        run(); // warm-up (JIT)
        var xs = Enumerable.Range(0, repeats).Select(_ => run()).Order().ToArray();
        return xs[xs.Length / 2];
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
