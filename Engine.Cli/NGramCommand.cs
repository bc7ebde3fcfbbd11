using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SeqLearn.NGrams;
using SeqLearn.Tensors;
using SeqLearn.Text;

namespace SeqLearn.Cli;

/// <summary><c>seqlearn ngram train|eval|generate</c>: n-gram language models in ARPA files.</summary>
public static class NGramCommand
{
    /// <summary>The smoothing methods <c>--smoothing</c> accepts.</summary>
    public static readonly string[] SmoothingNames = ["mkn", "kn", "wb", "abs", "addk", "mle", "stupid"];

    /// <summary>Builds the <c>ngram</c> command with its three subcommands.</summary>
    public static Command Create()
    {
        var ngram = new Command("ngram", "N-gram language models: train to ARPA, evaluate perplexity, generate text.");
        ngram.Subcommands.Add(Train());
        ngram.Subcommands.Add(Eval());
        ngram.Subcommands.Add(Generate());
        return ngram;
    }

    private static Command Train()
    {
        var order = new Option<int>("--order", "-o") { Description = "Highest n-gram order N (1 or more; e.g. 3 for trigrams).", DefaultValueFactory = _ => 3 };
        var smoothing = new Option<string>("--smoothing", "-s")
        {
            Description = "Estimator: mkn (modified Kneser-Ney, KenLM-compatible), kn (Kneser-Ney), wb (Witten-Bell), abs (absolute discounting), addk (add-k/Laplace), mle (maximum likelihood), stupid (stupid backoff; scores, not probabilities).",
            DefaultValueFactory = _ => "mkn",
        };
        smoothing.AcceptOnlyFromAmong(SmoothingNames);
        var corpus = new Option<string>("--corpus", "-c") { Description = "Training text, UTF-8, one sentence per line, whitespace-separated tokens.", Required = true };
        var arpa = new Option<string>("--arpa") { Description = "Output ARPA file (written atomically).", Required = true };
        var k = new Option<double>("--k") { Description = "Pseudo-count for --smoothing addk (1 = Laplace).", DefaultValueFactory = _ => 1.0 };
        var lambda = new Option<double>("--lambda") { Description = "Back-off factor for --smoothing stupid.", DefaultValueFactory = _ => 0.4 };
        var fallback = new Option<bool>("--discount-fallback")
        {
            Description = "When a discount cannot be estimated (tiny data), use fallbacks instead of failing: 0.5 1 1.5 for mkn (as KenLM), 0.5 for kn and abs.",
        };
        var command = new Command("train", "Count n-grams in a corpus and write a smoothed back-off model as an ARPA file.") { order, smoothing, corpus, arpa, k, lambda, fallback };
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            int n = parse.GetValue(order);
            if (n < 1 || n > NGramCounts.MaxOrder)
                throw new ArgumentException($"--order must be in [1, {NGramCounts.MaxOrder}], got {n} (longer n-grams are almost all seen once and cost n ids each).");
            CheckApplicable(parse, smoothing, k, lambda, fallback);
            double kValue = parse.GetValue(k), lambdaValue = parse.GetValue(lambda);
            if (!(kValue > 0 && double.IsFinite(kValue))) throw new ArgumentException($"--k must be a positive number, got {kValue}.");
            if (!(lambdaValue is > 0 and <= 1)) throw new ArgumentException($"--lambda must be in (0, 1], got {lambdaValue}.");
            PathCheck.EnsureWritableOutput(parse.GetValue(arpa)!, "--arpa"); // before any work, not after it
            PathCheck.EnsureNotInput(parse.GetValue(arpa)!, "--arpa", parse.GetValue(corpus), "--corpus");
            INGramEstimator estimator = CreateEstimator(parse.GetValue(smoothing)!, parse.GetValue(k), parse.GetValue(lambda), parse.GetValue(fallback));
            var clock = Stopwatch.StartNew();
            string[] lines = TextFile.ReadLines(parse.GetValue(corpus)!);
            NGramCounts counts;
            try { counts = NGramCounts.Count(lines, n); }
            catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
            {   // a reserved token in the text ("Line 3: the corpus contains '<s>' …"): name the file
                throw new ArgumentException($"{parse.GetValue(corpus)}: {CliGuard.MessageForUser(e)}", e);
            }
            BackoffModel model;
            try { model = estimator.Estimate(counts); }
            catch (NGramEstimationException e)
            {   // the counts know no file, the estimator no option: a discount that cannot be estimated names --discount-fallback
                string name = parse.GetValue(smoothing)!, hint = name is "mkn" or "kn" or "abs" && !parse.GetValue(fallback)
                    ? $" Add --discount-fallback to use {(name == "mkn" ? "0.5 1 1.5 (as KenLM's lmplz --discount_fallback)" : "0.5")}."
                    : "";
                throw new NGramEstimationException($"{parse.GetValue(corpus)}: {e.Message}{hint}");
            }
            double seconds = clock.Elapsed.TotalSeconds;
            string file = parse.GetValue(arpa)!;
            ArpaWriter.Write(model, file);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"{estimator.Name} {n}-gram model: {lines.Length:N0} lines, {counts.TokenCount:N0} tokens, vocabulary {model.Vocabulary.Count:N0}");
            for (int i = 1; i <= n; i++) output.WriteLine($"  {i}-grams: {model.Table(i).Count:N0}");
            output.WriteLine($"estimated in {seconds:F2} s; wrote {file}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Refuses an estimator option given with a <c>--smoothing</c> that does not read it: <c>--k</c> is add-k's pseudo-count,
    /// <c>--lambda</c> stupid backoff's factor, <c>--discount-fallback</c> the fallback of the discounting estimators.
    /// </summary>
    private static void CheckApplicable(ParseResult parse, Option<string> smoothing, Option<double> k, Option<double> lambda, Option<bool> fallback)
    {
        string name = parse.GetValue(smoothing)!, chosen = CliGuard.Chosen(parse, smoothing);
        if (name != "addk") CliGuard.RefuseIfGiven(parse, o => $"{o} applies to --smoothing addk, not {chosen}: drop {o} or use --smoothing addk.", k);
        if (name != "stupid") CliGuard.RefuseIfGiven(parse, o => $"{o} applies to --smoothing stupid, not {chosen}: drop {o} or use --smoothing stupid.", lambda);
        if (name is not ("mkn" or "kn" or "abs"))
            CliGuard.RefuseIfGiven(parse, o => $"{o} applies to --smoothing mkn, kn or abs (the estimated discounts), not {chosen}: drop {o}.", fallback);
    }

    private static Command Eval()
    {
        var arpa = new Option<string>("--arpa") { Description = "ARPA model to evaluate (from seqlearn, KenLM or SRILM).", Required = true };
        var corpus = new Option<string>("--corpus", "-c") { Description = "Test text, UTF-8, one sentence per line; each line's </s> is one token.", Required = true };
        var sentences = new Option<bool>("--sentences") { Description = "Also print each sentence's total log10 probability and OOV count (as KenLM's query -v sentence)." };
        var command = new Command("eval", "Perplexity of a text under an ARPA model, with and without OOV words (KenLM query semantics).") { arpa, corpus, sentences };
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            BackoffModel model = ArpaReader.Read(parse.GetValue(arpa)!);
            string[] lines = TextFile.ReadLines(parse.GetValue(corpus)!);
            var clock = Stopwatch.StartNew();
            LanguageModelScore score;   // first: it refuses a bad line before any sentence is printed
            try { score = model.Evaluate(lines); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{parse.GetValue(corpus)}: {e.Message}", e); }   // names the text's line
            double seconds = clock.Elapsed.TotalSeconds;
            if (parse.GetValue(sentences))
                foreach (string line in lines)
                {
                    var scores = model.ScoreSentence(line);
                    output.WriteLine($"Total: {EvalCommand.Number(scores.Sum(s => (double)s.Log10Prob), "G8")} OOV: {scores.Count(s => s.IsOov)}");
                }
            output.WriteLine($"Perplexity including OOVs:\t{EvalCommand.Number(score.Perplexity, "G10")}");
            output.WriteLine($"Perplexity excluding OOVs:\t{EvalCommand.Number(score.PerplexityExcludingOovs, "G10")}");
            output.WriteLine($"OOVs:\t{score.Oovs}");
            output.WriteLine($"Tokens:\t{score.Tokens}");
            output.WriteLine($"Sentences:\t{score.Sentences}");
            output.WriteLine($"Total log10 prob:\t{EvalCommand.Number(score.TotalLog10Prob, "G10")}");
            output.WriteLine($"Bits per token:\t{EvalCommand.Number(score.BitsPerToken, "F4")}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Scored in {seconds:F3} s ({score.Tokens / Math.Max(seconds, 1e-9) / 1e6:F2} M tokens/s)"));
            return 0;
        }));
        return command;
    }

    private static Command Generate()
    {
        var arpa = new Option<string>("--arpa") { Description = "ARPA model to sample from.", Required = true };
        var prompt = new Option<string>("--prompt", "-p") { Description = "Words the sentence starts with (the model continues after them).", DefaultValueFactory = _ => "" };
        var seed = new Option<ulong>("--seed") { Description = "Random seed; the same seed, model and prompt give the same text.", DefaultValueFactory = _ => 1UL };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Stop after this many generated tokens if </s> has not been drawn.", DefaultValueFactory = _ => 50 };
        var count = new Option<int>("--count") { Description = "Number of sentences to generate.", DefaultValueFactory = _ => 1 };
        var command = new Command("generate", "Sample sentences from an ARPA model.") { arpa, prompt, seed, maxTokens, count };
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            int max = parse.GetValue(maxTokens), n = parse.GetValue(count);
            if (max < 0) throw new ArgumentException($"--max-tokens must be ≥ 0, got {max}.");
            if (n < 0) throw new ArgumentException($"--count must be ≥ 0, got {n}.");
            if (NGramVocabulary.SplitWords(parse.GetValue(prompt) ?? "").FirstOrDefault(w => w is NGramVocabulary.Bos or NGramVocabulary.Eos) is { } reserved)
                throw new ArgumentException($"--prompt contains '{reserved}', which is reserved for sentence boundaries: every sentence starts after <s> already.");
            var output = parse.InvocationConfiguration.Output;
            var sampler = new NGramSampler(ArpaReader.Read(parse.GetValue(arpa)!));
            var rng = new SeededRng(parse.GetValue(seed));
            for (int i = 0; i < n; i++) output.WriteLine(sampler.Sample(rng, parse.GetValue(prompt) ?? "", max));
            return 0;
        }));
        return command;
    }

    /// <summary>Maps a <c>--smoothing</c> name to its estimator.</summary>
    public static INGramEstimator CreateEstimator(string name, double k, double lambda, bool discountFallback) => name switch
    {
        "mkn" => new ModifiedKneserNey(discountFallback ? MknDiscounts.KenLmFallback : null),
        "kn" => new KneserNey(discountFallback ? 0.5 : null),
        "abs" => new AbsoluteDiscounting(discountFallback ? 0.5 : null),
        "wb" => new WittenBell(),
        "addk" => new AddK(k),
        "mle" => new MaximumLikelihood(),
        "stupid" => new StupidBackoff(lambda),
        _ => throw new ArgumentException($"Unknown smoothing '{name}'; expected one of {string.Join(", ", SmoothingNames)}."),
    };
}
