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
/// <see cref="TextGenerator"/> façade the CLI uses. PyTorch runs with 1 and with 2 intra-op threads and its faster rate
/// is the baseline. The two sides alternate: each of the rounds times every SeqLearn configuration once, then one
/// PyTorch process per thread setting (the median of its three generations, so a slow first call is not the one counted);
/// each configuration's median over the rounds is reported, so a change in the machine's speed during the run moves
/// both sides alike. The last line is the ratio for what
/// <c>seqlearn generate</c> does by default on this 2-core machine: exact float32 weights on 2 threads (the text is
/// bit-identical to one thread's); the lines before it give the one-thread, bf16 and int8 ratios too.
/// </summary>
public static class SampleComparison
{
    private const string Prompt = "ROMEO:\n";

    /// <summary>Options: <c>--chars N</c> (default 20000), <c>--repeats N</c> (rounds, 5), <c>--torch-script PATH</c>, <c>--no-torch</c>.</summary>
    public static int Run(string[] args, BaselineEnvironment baseline)
    {
        int chars = CompareOptions.Positive(args, "--chars", 20_000), repeats = CompareOptions.Positive(args, "--repeats", 5);
        var vocabulary = TinyShakespeareVocabulary();
        var config = new LanguageModelConfig(vocabulary.Count, EmbeddingSize: 64, HiddenSize: 256, NumLayers: 2);
        var model = new LanguageModel<float>(config, new SeededRng(1));
        model.Eval();
        int[] prompt = vocabulary.Encode(Prompt);
        Console.WriteLine($"compare sample: batch 1, V={config.VocabularySize}, E=64, 2-layer LSTM H=256, τ=1, {chars} chars after \"ROMEO:\\n\", median of {repeats}");
        Console.WriteLine($"machine: {MachineInfo.Describe()}; core-to-core round trip {MachineInfo.CoreRoundTrip()}");
        Console.WriteLine($"SeqLearn kernels: {KernelPath.Default} (mat-vec and gates), int8 mat-vec {KernelPath.DefaultInt8}");
        bool torch = !args.Contains("--no-torch");
        string failure = "";
        string? pytorch = torch ? BaselineEnvironment.DescribePyTorch("set_num_threads(1) and (2), the faster counted", out failure) : null;
        string script = TorchScript(args);
        if (torch && (pytorch is null || !File.Exists(script)))
        {
            Console.Error.WriteLine(pytorch is null
                ? $"compare sample: {failure}: run scripts/install-baselines.sh, or pass --no-torch."
                : $"compare sample: {script} not found: run from the repository root or pass --torch-script PATH (or --no-torch).");
            return 1;
        }
        Console.WriteLine($"baseline: {pytorch ?? "PyTorch not run (--no-torch)"}; {baseline.DescribeOpenBlas()}");

        using var pool = new WorkerPool(2);
        var configs = new List<(string Name, Func<double> Run)>();
        foreach (var precision in new[] { StepperPrecision.Float32, StepperPrecision.BFloat16, StepperPrecision.Int8 })
            foreach (int threads in new[] { 1, 2 })
            {
                var stepper = new LanguageModelStepper(model, threads == 2 ? pool : null, precision);
                configs.Add(($"SeqLearn stepper {Name(precision)}, {(threads == 1 ? "1 thread:" : "2-thread pool:")}", () => Rate(stepper, prompt, chars)));
            }
        var generator = new TextGenerator(model, vocabulary);
        configs.Add(("SeqLearn TextGenerator, 1 thread:", () =>
        {
            var sw = Stopwatch.StartNew();
            int n = generator.Generate(Prompt, chars, new SamplingOptions(), new SeededRng(7)).Count();
            return n / sw.Elapsed.TotalSeconds;
        }));
        if (torch) configs.Add(("PyTorch lm_torch.py sample, 1 thread:", () => TorchRate(script, chars, threads: 1) ?? double.NaN));
        if (torch) configs.Add(("PyTorch lm_torch.py sample, 2 threads:", () => TorchRate(script, chars, threads: 2) ?? double.NaN));
        foreach (var (_, run) in configs.Where(c => c.Name.StartsWith("SeqLearn", StringComparison.Ordinal))) run();   // warm-up (JIT)
        var samples = configs.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < repeats; r++)
            for (int c = 0; c < configs.Count; c++)
            {
                double rate = configs[c].Run();
                if (double.IsNaN(rate)) return 1;
                samples[c].Add(rate);
            }
        var median = samples.Select(Median).ToArray();
        for (int c = 0; c < configs.Count; c++)
            Console.WriteLine($"{configs[c].Name,-38}{median[c],10:F0} chars/s");
        Console.WriteLine($"load at the end: {MachineInfo.LoadAverage()}; core-to-core round trip {MachineInfo.CoreRoundTrip()}");
        var rates = new Dictionary<(StepperPrecision, int), double>();
        int at = 0;
        foreach (var precision in new[] { StepperPrecision.Float32, StepperPrecision.BFloat16, StepperPrecision.Int8 })
            foreach (int threads in new[] { 1, 2 })
                rates[(precision, threads)] = median[at++];
        double ours = rates[(StepperPrecision.Float32, 1)], two = rates[(StepperPrecision.Float32, 2)];
        if (!torch) return 0;
        double t1 = median[^2], t2 = median[^1];
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

    /// <summary>The PyTorch script: <c>--torch-script PATH</c>, or scripts/lm_torch.py under the working directory.</summary>
    private static string TorchScript(string[] args)
    {
        int at = Array.IndexOf(args, "--torch-script");
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : Path.Combine("scripts", "lm_torch.py");
    }

    private static double? TorchRate(string script, int chars, int threads)
    {
        var info = new ProcessStartInfo("/usr/bin/python3", [script, "sample", "--chars", chars.ToString(CultureInfo.InvariantCulture),
            "--threads", threads.ToString(CultureInfo.InvariantCulture), "--repeats", "3"])
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

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

}
