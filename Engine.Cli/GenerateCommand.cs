using System.CommandLine;
using System.Globalization;
using SeqLearn.Generation;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Tensors;

namespace SeqLearn.Cli;

/// <summary><c>seqlearn generate</c>: stream text sampled from a neural checkpoint, or the k best continuations by beam search.</summary>
public static class GenerateCommand
{
    /// <summary>The widest beam <c>--beam</c> accepts (each hypothesis carries its own recurrent state).</summary>
    public const int MaxBeam = 256;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = EvalCommand.CheckpointDescription, Required = true };
        var prompt = new Option<string>("--prompt", "-p") { Description = "Text the model continues (characters, or words for a word model; empty = start of a line).", DefaultValueFactory = _ => "" };
        var length = new Option<int>("--length", "-n") { Description = "Tokens to generate (characters or words).", DefaultValueFactory = _ => 200 };
        var temperature = new Option<double>("--temperature", "-t") { Description = "Softmax temperature τ ≥ 0; 0 = greedy (argmax), < 1 sharper, > 1 flatter.", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { Description = "Sample only among the k most likely tokens (0 = all).", DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling: the smallest set of tokens with probability ≥ p, in (0, 1] (1 = all).", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed; the same checkpoint, prompt, options and seed give the same text.", DefaultValueFactory = _ => 1UL };
        var beam = new Option<int>("--beam") { Description = "Beam search of this width instead of sampling: prints the WIDTH best continuations with their log-probabilities (0 = sample).", DefaultValueFactory = _ => 0 };
        var stopAtEnd = new Option<bool>("--stop-at-end") { Description = "Stop at the end of a line (<eos> or newline), or after --length tokens if no line ends sooner." };
        var bf16 = new Option<bool>("--bf16") { Description = "Store the weight matrices in bfloat16 (half the bytes per step, about 2x faster; logits differ slightly from float32)." };
        var int8 = new Option<bool>("--int8") { Description = "Store the weight matrices in int8 with one scale per row (a quarter of the bytes per step; the fastest; logits differ slightly from float32). Not with --bf16." };
        var threads = new Option<int>("--threads") { Description = "Threads per step (with 2, sampling computes the next step's hidden-side products on the second thread, beam search splits each layer's hidden units; the text is identical for any count). Default: 2 on a machine with 2 or more cores.", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 2) };
        var command = new Command("generate", "Generate text from a neural language-model checkpoint: sampling (greedy, temperature, top-k, top-p) or beam search.")
        {
            checkpoint, prompt, length, temperature, topK, topP, seed, beam, stopAtEnd, bf16, int8, threads,
        };
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            int n = parse.GetValue(length), k = parse.GetValue(topK), width = parse.GetValue(beam), t = parse.GetValue(threads);
            double tau = parse.GetValue(temperature), p = parse.GetValue(topP);
            if (n < 1) throw new ArgumentException($"--length must be at least 1, got {n}.");
            if (!(tau >= 0) || double.IsInfinity(tau)) throw new ArgumentException($"--temperature must be a finite number ≥ 0, got {tau}.");
            if (k < 0) throw new ArgumentException($"--top-k must be ≥ 0 (0 disables it), got {k}.");
            if (!(p > 0 && p <= 1)) throw new ArgumentException($"--top-p must be in (0, 1], got {p}.");
            if (width is < 0 or > MaxBeam) throw new ArgumentException($"--beam must be in [0, {MaxBeam}] (0 samples), got {width}.");
            if (width > 0)   // beam search ranks continuations by log-probability: a sampling option given with it would be ignored
                CliGuard.RefuseIfGiven(parse, o => $"{o} shapes sampling; --beam {width} searches instead of sampling: drop {o} or --beam.", temperature, topK, topP, seed);
            else if (tau == 0)   // greedy decoding takes the argmax: it draws nothing, and the argmax is inside any top-k or top-p set
                CliGuard.RefuseIfGiven(parse, o => $"{o} shapes sampling; --temperature 0 decodes greedily (argmax): drop {o} or give --temperature > 0.", topK, topP, seed);
            TrainingCliOptions.CheckThreads(t);
            Precision(parse.GetValue(bf16), parse.GetValue(int8));   // checked before the checkpoint is read
            // Beam search keeps every hypothesis's tokens (and the pruned ones' of the last step) until the end: ≈ 2·K·n ids.
            long beamBytes = 2L * width * n * sizeof(int);
            if (beamBytes > Training.MemoryBudget.AvailableBytes)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"--beam {width} × --length {n} keeps ≈ {beamBytes / 1e9:F1} GB of tokens, {Training.MemoryBudget.AvailableBytes / 1e9:F1} GB available."));
            string text = parse.GetValue(prompt) ?? "";
            var loaded = LanguageModelCheckpoint.Load(parse.GetValue(checkpoint)!);
            using var pool = t > 1 ? new WorkerPool(t) : null;
            var precision = Precision(parse.GetValue(bf16), parse.GetValue(int8));
            var generator = new TextGenerator(new LanguageModelStepper(loaded.Model, pool, precision), loaded.Vocabulary);
            try { generator.EncodePrompt(text); }   // a prompt outside the vocabulary is an option error, named as such
            catch (ArgumentException e) { throw new ArgumentException($"--prompt: {CliGuard.MessageForUser(e)}", e); }
            bool stop = parse.GetValue(stopAtEnd);
            if (stop && generator.EndId is null)
                throw new ArgumentException("--stop-at-end: the model's vocabulary has neither <eos> nor a newline, so no line ends to stop at.");
            if (width > 0)
            {
                var results = generator.BeamSearch(text, n, width, stop);
                for (int i = 0; i < results.Count; i++)
                {
                    var r = results[i];
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{i + 1}] log P = {r.LogProbability:F4} ({r.Tokens.Length} tokens, {(r.Finished ? "ended" : "cut at --length")})"));
                    output.WriteLine(generator.PromptText(text) + r.Text);
                }
                return 0;
            }
            var pieces = generator.Generate(text, n, new SamplingOptions(tau, k, p), new SeededRng(parse.GetValue(seed)), stop);
            output.Write(generator.PromptText(text));   // <eos> in a word prompt is the newline the pieces continue from
            foreach (string piece in pieces)
            {
                output.Write(piece);
                if (piece.Contains('\n')) output.Flush();   // stream line by line
            }
            output.WriteLine();
            return 0;
        }));
        return command;
    }

    /// <summary>The stepper precision of <c>--bf16</c> / <c>--int8</c> (at most one of them; neither = float32).</summary>
    public static StepperPrecision Precision(bool bf16, bool int8) => (bf16, int8) switch
    {
        (true, true) => throw new ArgumentException("--bf16 and --int8 choose different weight formats: give at most one."),
        (true, false) => StepperPrecision.BFloat16,
        (false, true) => StepperPrecision.Int8,
        _ => StepperPrecision.Float32,
    };
}
