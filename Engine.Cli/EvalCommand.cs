using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.NGrams;
using SeqLearn.Text;

namespace SeqLearn.Cli;

/// <summary>
/// <c>seqlearn eval</c>: loss, perplexity and bits per character of a text under a neural checkpoint
/// (<c>--checkpoint</c>) or an ARPA n-gram model (<c>--arpa</c>), both through <see cref="ILanguageModelEvaluator"/>
/// and printed in the same format.
/// </summary>
public static class EvalCommand
{
    /// <summary>The <c>--checkpoint</c> of <c>eval</c> and <c>generate</c>: a run directory as <c>train</c> writes it, or one checkpoint in it.</summary>
    internal const string CheckpointDescription = "A neural language model trained by 'train': its --checkpoint DIR (DIR/best is read, else DIR/last), "
        + "or one checkpoint (DIR/best, DIR/last: a directory holding checkpoint.json and weights.safetensors).";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = CheckpointDescription };
        var arpa = new Option<string>("--arpa") { Description = "ARPA n-gram model to evaluate instead of a checkpoint." };
        var corpus = new Option<string>("--corpus", "-c") { Description = "Test text, UTF-8; each line's end (newline or <eos>) is one predicted token.", Required = true };
        var batch = new Option<int>("--batch") { Description = "Neural models: B, streams scored side by side (the text is cut into B contiguous parts).", DefaultValueFactory = _ => 16 };
        var steps = new Option<int>("--steps") { Description = "Neural models: T, steps per window; the state is carried from window to window.", DefaultValueFactory = _ => 64 };
        var threads = new Option<int>("--threads") { Description = "Neural models: threads for the GEMMs (1 to 4 × the cores; results are identical for any count).", DefaultValueFactory = _ => 1 };
        var bf16 = new Option<bool>("--bf16") { Description = "Neural models: score at batch 1 through the generation stepper with bfloat16 matrices (the loss generate --bf16 samples from)." };
        var int8 = new Option<bool>("--int8") { Description = "Neural models: score at batch 1 through the generation stepper with int8 matrices (the loss generate --int8 samples from)." };
        var stepper = new Option<bool>("--stepper") { Description = "Neural models: score at batch 1 through the float32 generation stepper (the baseline for --bf16 / --int8)." };
        var command = new Command("eval", "Loss (nats/token), perplexity and bits per character of a text under a neural checkpoint or an ARPA model.")
        {
            checkpoint, arpa, corpus, batch, steps, threads, bf16, int8, stepper,
        };
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            string? dir = parse.GetValue(checkpoint), arpaPath = parse.GetValue(arpa);
            if ((dir is null) == (arpaPath is null)) throw new ArgumentException("give exactly one of --checkpoint DIR or --arpa FILE.");
            var precision = GenerateCommand.Precision(parse.GetValue(bf16), parse.GetValue(int8));
            bool stepped = parse.GetValue(stepper) || precision != StepperPrecision.Float32;
            if (stepped && dir is null) throw new ArgumentException("--stepper, --bf16 and --int8 score a neural --checkpoint, not an ARPA model.");
            if (dir is null)
                CliGuard.RefuseIfGiven(parse, o => $"{o} applies to a neural --checkpoint, not an --arpa model: drop {o}.", batch, steps, threads);
            if (stepped)
            {
                string via = parse.GetValue(stepper) ? "--stepper" : precision == StepperPrecision.BFloat16 ? "--bf16" : "--int8";
                CliGuard.RefuseIfGiven(parse, o => $"{o} shapes the batched scoring; {via} scores one stream at batch 1 through the generation stepper: drop {o} or {via}.",
                    batch, steps);
            }
            int b = parse.GetValue(batch), t = parse.GetValue(steps), n = parse.GetValue(threads);
            if (b < 1 || t < 1) throw new ArgumentException($"--batch and --steps must be at least 1 (got {b} and {t}).");
            if ((long)b * t > Array.MaxLength) throw new ArgumentException($"--batch × --steps = {(long)b * t:N0} tokens per window, more than one array holds ({Array.MaxLength:N0}).");
            TrainingCliOptions.CheckThreads(n);
            string[] lines = TextFile.ReadLines(parse.GetValue(corpus)!);
            using var pool = n > 1 ? new WorkerPool(n) : null;
            ILanguageModelEvaluator evaluator;
            string what;
            if (dir is not null)
            {
                var loaded = LanguageModelCheckpoint.Load(dir);
                if (loaded.Vocabulary is CharVocabulary chars) CheckCharacters(chars, lines, parse.GetValue(corpus)!);
                EnsureScoringFits(loaded.Model.Config, b, t, CharacterCount(lines));
                var neural = new LanguageModelEvaluator(loaded.Model, loaded.Vocabulary, b, t, pool);
                evaluator = stepped ? new SteppedEvaluator(neural, new LanguageModelStepper(loaded.Model, pool, precision)) : neural;
                var c = loaded.Model.Config;
                what = $"{c.Cell.ToString().ToLowerInvariant()} L={c.NumLayers} H={c.HiddenSize} V={c.VocabularySize} ({(loaded.Vocabulary is CharVocabulary ? "characters" : "words")}), step {loaded.Data.Step}"
                    + (stepped ? $", stepper at batch 1, {precision} matrices" : "");
            }
            else
            {
                var model = ArpaReader.Read(arpaPath!);
                evaluator = model;
                what = $"{model.Order}-gram ARPA model, vocabulary {model.Vocabulary.Count}";
            }
            var clock = Stopwatch.StartNew();
            LanguageModelScore score;
            try { score = evaluator.Evaluate(lines); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{parse.GetValue(corpus)}: {e.Message}", e); }   // names the text's line
            if (score.Tokens == 0)
                throw new ArgumentException($"{parse.GetValue(corpus)}: nothing to score (a text needs at least one token after its first).");
            Print(parse.InvocationConfiguration.Output, what, score, CharacterCount(lines), clock.Elapsed.TotalSeconds);
            return 0;
        }));
        return command;
    }

    // What a character model can score: every character in its vocabulary (or an <unk>), and several lines only when the
    // newline is a symbol of it (a model trained on one line would score "a\nb" as "ab" and bits per character would count
    // newlines it never scored). Errors name the file and line.
    private static void CheckCharacters(CharVocabulary vocabulary, string[] lines, string path)
    {
        if (lines.Length > 1 && !vocabulary.TryGetId("\n", out _))
            throw new ArgumentException($"{path}: {lines.Length:N0} lines, but the model's vocabulary has no newline (it was trained on text of one line); give it one line.");
        if (vocabulary.UnkId >= 0) return;
        var seen = new HashSet<int>();   // each distinct character is looked up once, at its first line
        for (int i = 0; i < lines.Length; i++)
            foreach (Rune r in lines[i].EnumerateRunes())
                if (seen.Add(r.Value) && !vocabulary.TryGetId(r.ToString(), out _))
                    throw new ArgumentException($"{path}:{i + 1}: character U+{r.Value:X4}{(Rune.IsControl(r) ? "" : $" '{r}'")} is not in the model's vocabulary (it has no <unk>).");
    }

    // A window holds min(B·T, tokens) positions (never more than the text: a text of n tokens is n / B steps per stream);
    // without gradients its activations are half of what training keeps, beside one copy of the parameters.
    private static void EnsureScoringFits(LanguageModelConfig config, int batch, int steps, long tokensAtMost)
    {
        int window = (int)Math.Min((long)batch * steps, Math.Max(1, tokensAtMost));
        long bytes = Training.MemoryBudget.Saturate(((double)config.ParameterCount() + config.ActivationValues(1, window) / 2.0) * sizeof(float));
        long available = Training.MemoryBudget.AvailableBytes;
        if (bytes > available)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--batch {batch} × --steps {steps} windows of this model (vocabulary {config.VocabularySize:N0}) need ≈ {bytes / 1e9:F1} GB, {available / 1e9:F1} GB available."));
    }

    /// <summary>Characters of the text with one newline per line: the denominator of bits per character.</summary>
    public static long CharacterCount(IEnumerable<string> lines) => lines.Sum(l => (long)l.EnumerateRunes().Count() + 1);

    /// <summary>The report, identical for every kind of model.</summary>
    public static void Print(TextWriter output, string model, LanguageModelScore score, long characters, double seconds)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"Model:\t{model}");
        output.WriteLine($"Loss (nats/token):\t{Number(score.Loss, "F4")}");
        output.WriteLine($"Perplexity including OOVs:\t{Number(score.Perplexity, "G10")}");
        output.WriteLine($"Perplexity excluding OOVs:\t{Number(score.PerplexityExcludingOovs, "G10")}");
        output.WriteLine($"Bits per token:\t{Number(score.BitsPerToken, "F4")}");
        output.WriteLine($"Bits per character:\t{Number(-score.TotalLogProb / Math.Log(2) / characters, "F4")}");
        output.WriteLine($"Tokens:\t{score.Tokens}");
        output.WriteLine($"OOVs:\t{score.Oovs}");
        output.WriteLine($"Sentences:\t{score.Sentences}");
        output.WriteLine($"Total log10 prob:\t{Number(score.TotalLog10Prob, "G10")}");
        output.WriteLine(string.Create(c, $"Scored in {seconds:F3} s ({score.Tokens / Math.Max(seconds, 1e-9):F0} tokens/s)"));
    }

    /// <summary>
    /// <paramref name="value"/> in <paramref name="format"/> (invariant culture), with ±∞ written <c>inf</c> and <c>-inf</c>
    /// as KenLM's query writes them (a text with a token of probability 0 has an infinite perplexity).
    /// </summary>
    internal static string Number(double value, string format) =>
        double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf") : value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The evaluator's scoring done through a stepper (<see cref="LanguageModelEvaluator.EvaluateStepped(IEnumerable{string}, LanguageModelStepper)"/>).</summary>
    private sealed class SteppedEvaluator(LanguageModelEvaluator evaluator, LanguageModelStepper stepper) : ILanguageModelEvaluator
    {
        public LanguageModelScore Evaluate(IEnumerable<string> lines) => evaluator.EvaluateStepped(lines, stepper);
    }
}
