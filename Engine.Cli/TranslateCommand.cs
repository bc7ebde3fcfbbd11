using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeqLearn.Text;
using SeqLearn.Translation;

namespace SeqLearn.Cli;

/// <summary>
/// <c>seqlearn translate eval</c>: English→French translation of a split of a tab-separated corpus, scored with
/// multi-reference corpus BLEU (docs/seq2seq.md). The split is by distinct English sentence
/// (<see cref="TranslationSplit"/>); the translator is any <see cref="ITranslator"/>, chosen in
/// <see cref="CreateTranslator"/> (today the <c>memory</c> baseline).
/// </summary>
public static partial class TranslateCommand
{
    /// <summary>The baselines <c>--baseline</c> accepts.</summary>
    public static readonly string[] BaselineNames = ["memory"];

    /// <summary>The smoothing names <c>--smoothing</c> accepts (sacreBLEU's).</summary>
    public static readonly string[] SmoothingNames = ["exp", "floor", "add-k", "none"];

    /// <summary>Builds the <c>translate</c> command with its subcommands.</summary>
    public static Command Create()
    {
        var translate = new Command("translate", "English→French translation: translate sentences with a trained model (--checkpoint DIR), train one (train), or score a model or baseline on a split by distinct source sentence with multi-reference BLEU (eval).");
        translate.Subcommands.Add(Eval());
        translate.Subcommands.Add(Train());
        var checkpoint = new Option<string>("--checkpoint") { Description = "Translate with a model trained by 'translate train' (DIR, DIR/best or DIR/last)." };
        var beam = new Option<int>("--beam") { Description = "Beam width K (1 = greedy).", DefaultValueFactory = _ => 1 };
        var replaceUnk = new Option<bool>("--replace-unk") { Description = "Replace each <unk> by the source word it attended to most." };
        var attentionPlot = new Option<string>("--attention-plot") { Description = "Draw the attention weights of the (first) sentence's translation as a heat map: FILE.png or FILE.svg." };
        var maxSource = MaxSourceTokensOption();
        var decodingOptions = new TranslateDecodingOptions();
        var sentences = new Argument<string[]>("sentences") { Description = "English sentences (default: each non-blank line of standard input).", Arity = ArgumentArity.ZeroOrMore };
        translate.Options.Add(checkpoint);
        translate.Options.Add(beam);
        translate.Options.Add(replaceUnk);
        translate.Options.Add(attentionPlot);
        translate.Options.Add(maxSource);
        decodingOptions.AddTo(translate);
        translate.Arguments.Add(sentences);
        // "translate Hello eval …" would otherwise run eval and drop the sentence without a word.
        foreach (var sub in translate.Subcommands)
            sub.Validators.Add(result =>
            {
                if (result.GetValue(sentences) is { Length: > 0 } given)
                    result.AddError($"'translate {sub.Name}' takes no sentences, got {given.Length} before '{sub.Name}' ('{given[0]}'): to translate them, run 'seqlearn translate --checkpoint DIR SENTENCE…' without a subcommand.");
            });
        translate.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            string dir = parse.GetValue(checkpoint) ?? throw new ArgumentException("give --checkpoint DIR (a model trained by 'translate train').");
            var decoding = decodingOptions.Read(parse, CheckBeam(parse.GetValue(beam)));   // before the checkpoint is loaded
            if (parse.GetValue(attentionPlot) is { } chart)
            {   // before any work
                Plots.ChartFile.Check(chart, "--attention-plot");
                CheckpointPaths.EnsureOutside(chart, "--attention-plot", dir, "--checkpoint");
            }
            int limit = ReadMaxSourceTokens(parse, maxSource);
            string[] lines = SentenceInput.Read(parse, sentences, "translate");   // before the checkpoint is loaded
            EnsureShortEnough(lines, limit);
            using var pool = new Kernels.WorkerPool(Math.Min(Environment.ProcessorCount, 2));
            var translator = (IBatchTranslator)LoadTranslator(dir, decoding, parse.GetValue(replaceUnk), pool);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(attentionPlot) is { } plotFile)
                Plots.AttentionChart.Write(dir, FraEngText.Preprocess(lines.FirstOrDefault() ?? ""), decoding, pool, plotFile, "--attention-plot");
            foreach (string line in translator.TranslateAll([.. lines.Select(FraEngText.Preprocess)])) output.WriteLine(line);
            return 0;
        }));
        return translate;
    }

    private static Command Eval()
    {
        var pairs = new Option<string>("--pairs") { Description = "Tab-separated pairs, UTF-8: English<TAB>French per line (further columns are ignored).", Required = true };
        var split = new Option<string>("--split") { Description = "Which part to translate and score.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("valid", "test");
        var baseline = new Option<string>("--baseline") { Description = "memory: the most common translation of the nearest training sentence (unigram+bigram F1)." };
        var checkpoint = new Option<string>("--checkpoint") { Description = "A model trained by 'translate train' (its DIR, DIR/best or DIR/last) instead of a baseline." };
        var beam = new Option<int>("--beam") { Description = "Beam width K for a model (1 = greedy).", DefaultValueFactory = _ => 1 };
        var replaceUnk = new Option<bool>("--replace-unk") { Description = "Replace each <unk> a model outputs by the source word it attended to most." };
        baseline.AcceptOnlyFromAmong(BaselineNames);
        var seed = new Option<ulong>("--split-seed") { Description = "Seed of the shuffle of distinct English sentences before the 80/10/10 split.", DefaultValueFactory = _ => TranslationSplit.DefaultSeed };
        var smoothing = new Option<string>("--smoothing") { Description = "BLEU smoothing (sacreBLEU's): exp (default), floor (0.1), add-k (k = 1), none.", DefaultValueFactory = _ => "exp" };
        smoothing.AcceptOnlyFromAmong(SmoothingNames);
        var output = new Option<string>("--output") { Description = "Write one line per sentence: source<TAB>hypothesis<TAB>reference 1<TAB>reference 2…" };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object instead of text." };
        var maxSource = MaxSourceTokensOption();
        var decodingOptions = new TranslateDecodingOptions();
        var command = new Command("eval", "Translate the valid or test sources and print corpus BLEU-4 against all references (sacreBLEU's rules and line format).")
        {
            pairs, split, baseline, seed, smoothing, output, json, checkpoint, beam, replaceUnk, maxSource,
        };
        decodingOptions.AddTo(command);
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            string path = parse.GetValue(pairs)!, part = parse.GetValue(split)!;
            if ((parse.GetValue(baseline) is null) == (parse.GetValue(checkpoint) is null)) throw new ArgumentException("give either --baseline NAME or --checkpoint DIR.");
            // The decoding options before the pairs are read; a baseline does not decode, so they would be ignored.
            if (parse.GetValue(baseline) is { } memory)
                CliGuard.RefuseIfGiven(parse, o => $"{o} applies to a model's decoding (--checkpoint DIR), not --baseline {memory}: drop {o}.",
                    [beam, replaceUnk, maxSource, .. decodingOptions.All]);
            DecodingOptions? decoding = parse.GetValue(checkpoint) is null ? null : decodingOptions.Read(parse, CheckBeam(parse.GetValue(beam)));
            int limit = ReadMaxSourceTokens(parse, maxSource);
            if (parse.GetValue(output) is string target)
            {   // before the pairs are read and translated, not after
                PathCheck.EnsureWritableOutput(target, "--output");
                PathCheck.EnsureNotInput(target, "--output", path, "--pairs");
                if (parse.GetValue(checkpoint) is { } model) CheckpointPaths.EnsureOutside(target, "--output", model, "--checkpoint");
            }
            IReadOnlyList<TranslationPair> all = ParallelCorpus.Read(path);
            TranslationSplit data = Split(path, all, parse.GetValue(seed));
            if (decoding is not null) EnsureShortEnough(path, part, data.Part(part), limit);   // before the checkpoint is loaded
            var clock = Stopwatch.StartNew();
            using var pool = new Kernels.WorkerPool(Math.Min(Environment.ProcessorCount, 2));
            ITranslator translator = (parse.GetValue(baseline), parse.GetValue(checkpoint)) switch
            {
                ({ } name, null) => CreateTranslator(name, data),
                (null, { } dir) => LoadTranslator(dir, decoding!, parse.GetValue(replaceUnk), pool, data),
                _ => throw new ArgumentException("give either --baseline NAME or --checkpoint DIR."),
            };
            double buildSeconds = clock.Elapsed.TotalSeconds;
            TranslationReport report = TranslationEvaluation.Evaluate(translator, data.Part(part), ParseSmoothing(parse.GetValue(smoothing)!));
            if (parse.GetValue(output) is string file) WriteSentences(file, report);
            TextWriter writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) writer.WriteLine(Json(path, all.Count, data, part, translator, buildSeconds, report).ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            else PrintText(writer, path, all.Count, data, part, translator, buildSeconds, report);
            return 0;
        }));
        return command;
    }

    /// <summary>The 80/10/10 split of the pairs read from <paramref name="path"/>; too few distinct sources to fill it is an error naming <c>--pairs</c> and the file.</summary>
    internal static TranslationSplit Split(string path, IReadOnlyList<TranslationPair> pairs, ulong seed)
    {
        int distinct = TranslationExample.Group(pairs).Count;
        if (distinct < 10)
            throw new ArgumentException($"--pairs {path}: {distinct} distinct English sentences in {pairs.Count} pairs; the 80/10/10 split by distinct sentence needs at least 10.");
        return TranslationSplit.Create(pairs, seed);
    }

    /// <summary>The default of <c>--max-source-tokens</c> (fairseq's default number of source positions).</summary>
    public const int DefaultMaxSourceTokens = 1024;

    /// <summary>The <c>--max-source-tokens</c> option of the commands that decode sentences with a model.</summary>
    private static Option<int> MaxSourceTokensOption() => new("--max-source-tokens")
    {
        Description = "The longest source sentence decoded, in tokens (⟨eos⟩ not counted): decoding takes time in proportion to its length times the output's.",
        DefaultValueFactory = _ => DefaultMaxSourceTokens,
    };

    private static int ReadMaxSourceTokens(ParseResult parse, Option<int> option)
    {
        int limit = parse.GetValue(option);
        return limit >= 1 ? limit : throw new ArgumentException($"--max-source-tokens must be ≥ 1, got {limit}.");
    }

    /// <summary>
    /// Refuses a sentence longer than <paramref name="limit"/> tokens, by its number: a greedy or beam decoding of w tokens
    /// runs up to M = 2n + 10 steps by default (n = w + 1, its ⟨eos⟩ counted) that each attend over all n, so a pasted book as one line
    /// would decode for hours.
    /// </summary>
    private static void EnsureShortEnough(string[] sentences, int limit)
    {
        for (int i = 0; i < sentences.Length; i++)
        {
            int n = TokenCount(FraEngText.Preprocess(sentences[i]));
            if (n > limit)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"sentence {i + 1} of {sentences.Length} has {n:N0} tokens, more than --max-source-tokens {limit}: {TooLong("split it")}"));
        }
    }

    /// <summary>
    /// Refuses, by its line of the pairs file <paramref name="path"/>, a source of <paramref name="examples"/> (the
    /// <paramref name="part"/> part, which is to be decoded) longer than <paramref name="limit"/> tokens.
    /// </summary>
    private static void EnsureShortEnough(string path, string part, IEnumerable<TranslationExample> examples, int limit)
    {
        foreach (TranslationExample e in examples)
        {
            int n = TokenCount(e.Source);
            if (n > limit)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{path}:{e.FirstLine}: the {part} source has {n:N0} tokens, more than --max-source-tokens {limit}: {TooLong("remove or split the pair")}"));
        }
    }

    private static string TooLong(string remedy) =>
        $"decoding takes time in proportion to its length times the output's; {remedy} or raise --max-source-tokens.";

    // The whitespace tokens of a sentence (as TranslationVocabulary.Tokenize), counted without making them.
    private static int TokenCount(string text)
    {
        int count = 0;
        bool inToken = false;
        foreach (char c in text)
        {
            bool space = char.IsWhiteSpace(c);
            if (!space && !inToken) count++;
            inToken = !space;
        }
        return count;
    }

    /// <summary>The translator to evaluate: a baseline built from the training part of <paramref name="split"/>.</summary>
    /// <exception cref="ArgumentException">An unknown baseline name.</exception>
    public static ITranslator CreateTranslator(string baseline, TranslationSplit split) => baseline switch
    {
        "memory" => new TranslationMemory(split.Train),
        _ => throw new ArgumentException($"Unknown baseline '{baseline}'; expected one of {string.Join(", ", BaselineNames)}."),
    };

    /// <summary>Maps a sacreBLEU smoothing name to <see cref="BleuSmoothing"/>.</summary>
    public static BleuSmoothing ParseSmoothing(string name) => name switch
    {
        "exp" => BleuSmoothing.Exp,
        "floor" => BleuSmoothing.Floor,
        "add-k" => BleuSmoothing.AddK,
        "none" => BleuSmoothing.None,
        _ => throw new ArgumentException($"Unknown smoothing '{name}'; expected one of {string.Join(", ", SmoothingNames)}."),
    };

    private static void PrintText(TextWriter w, string path, int pairCount, TranslationSplit data, string part, ITranslator translator, double buildSeconds, TranslationReport report)
    {
        var c = CultureInfo.InvariantCulture;
        int sentences = report.Examples.Count;
        w.WriteLine($"Pairs:\t{path} ({pairCount} pairs, {data.Train.Count + data.Valid.Count + data.Test.Count} distinct sources)");
        w.WriteLine($"Split:\t{part}, seed {data.Seed} (distinct sources: train {data.Train.Count}, valid {data.Valid.Count}, test {data.Test.Count}; {data.TrainPairs.Count} training pairs)");
        w.WriteLine(string.Create(c, $"Translator:\t{translator.Description} (built in {buildSeconds:F3} s)"));
        w.WriteLine(string.Create(c, $"Sentences:\t{sentences} ({report.Examples.Sum(e => e.References.Count)} references, up to {report.Examples.Max(e => e.References.Count)} per sentence)"));
        w.WriteLine(string.Create(c, $"Translated in {report.Seconds:F3} s ({sentences / Math.Max(report.Seconds, 1e-9):F0} sentences/s)"));
        w.WriteLine(report.Signature);
        w.WriteLine(report.Bleu.ToString());
    }

    private static JsonObject Json(string path, int pairCount, TranslationSplit data, string part, ITranslator translator, double buildSeconds, TranslationReport report)
    {
        BleuScore b = report.Bleu;
        return new JsonObject
        {
            ["pairs"] = path,
            ["pair_count"] = pairCount,
            ["split"] = part,
            ["split_seed"] = data.Seed,
            ["train_sources"] = data.Train.Count,
            ["valid_sources"] = data.Valid.Count,
            ["test_sources"] = data.Test.Count,
            ["translator"] = translator.Description,
            ["build_seconds"] = buildSeconds,
            ["sentences"] = report.Examples.Count,
            ["seconds"] = report.Seconds,
            ["name"] = "BLEU",
            ["score"] = b.Score,
            ["precisions"] = new JsonArray(b.Precisions.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            ["bp"] = b.BrevityPenalty,
            ["ratio"] = b.Ratio,
            ["hyp_len"] = b.HypothesisLength,
            ["ref_len"] = b.ReferenceLength,
            ["signature"] = report.Signature,
            ["verbose_score"] = b.ToString(),
        };
    }

    private static void WriteSentences(string file, TranslationReport report)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < report.Examples.Count; i++)
        {
            TranslationExample e = report.Examples[i];
            sb.Append(e.Source).Append('\t').Append(report.Hypotheses[i]);
            foreach (string r in e.References) sb.Append('\t').Append(r);
            sb.Append('\n');
        }
        TextFile.WriteAllTextAtomic(file, sb.ToString());
    }
}
