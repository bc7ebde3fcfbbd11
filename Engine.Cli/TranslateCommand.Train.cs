using System.CommandLine;
using System.Globalization;
using SeqLearn.Checkpoints;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;
using SeqLearn.Translation;

namespace SeqLearn.Cli;

// translate train: a Seq2Seq model on the training part of the split, validation BLEU (greedy, all references) at each
// evaluation, the best checkpoint chosen by it; at the end the test part is translated greedily and with beam 5. A
// validation or test source longer than --max-source-tokens is refused by its line before training.
public static partial class TranslateCommand
{
    private static Command Train()
    {
        var pairs = new Option<string>("--pairs") { Description = "Tab-separated pairs, UTF-8: English<TAB>French per line.", Required = true };
        var seed = new Option<ulong>("--split-seed") { Description = "Seed of the 80/10/10 split by distinct English sentence.", DefaultValueFactory = _ => TranslationSplit.DefaultSeed };
        var attention = new Option<string>("--attention") { Description = "bahdanau, luong-dot, luong-general or none.", DefaultValueFactory = _ => "bahdanau" };
        attention.AcceptOnlyFromAmong("bahdanau", "luong-dot", "luong-general", "none");
        var cell = new Option<string>("--cell") { Description = "gru or lstm.", DefaultValueFactory = _ => "gru" };
        cell.AcceptOnlyFromAmong("gru", "lstm");
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Bidirectional encoder (default true; --bidirectional false for one direction).", DefaultValueFactory = _ => true };
        var inputFeeding = new Option<bool>("--input-feeding") { Description = "Luong: feed the attentional vector into the next decoder step." };
        var embedding = new Option<int>("--embedding") { Description = "Embedding size E.", DefaultValueFactory = _ => 256 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden size H.", DefaultValueFactory = _ => 256 };
        var layers = new Option<int>("--layers") { Description = "Recurrent layers of encoder and decoder.", DefaultValueFactory = _ => 1 };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing ε of the training loss: targets (1 − ε)·onehot + ε/V (validation reports the plain cross-entropy).", DefaultValueFactory = _ => 0.3 };
        var batch = new Option<int>("--batch", "-b") { Description = "Sentence pairs per step (bucketed by source length).", DefaultValueFactory = _ => 64 };
        var microBatches = new Option<int>("--micro-batches") { Description = "Parts each batch is split into, run side by side on the threads, their gradients added in order (results depend on this, not on --threads).", DefaultValueFactory = _ => 2 };
        var maxSource = MaxSourceTokensOption();
        var shared = new TrainingCliOptions(learningRate: 2e-3, clip: 1, dropout: 0.2, defaultSeconds: 300, evalSeconds: 60, schedule: "step", gamma: 0.8, firstDecayEpoch: 4);
        var command = new Command("train", "Train an encoder–decoder with attention on the training part; validation BLEU picks the best checkpoint.")
        {
            pairs, seed, attention, cell, bidirectional, inputFeeding, embedding, hidden, layers, batch, microBatches, smoothing, maxSource,
        };
        shared.AddTo(command);
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            // Every option is checked before the pairs are read or anything is trained.
            int threads = shared.ReadThreads(parse), batchSize = parse.GetValue(batch);
            if (batchSize < 1) throw new ArgumentException($"--batch must be at least 1, got {batchSize}.");
            int parts = parse.GetValue(microBatches);
            if (parts is < 1 or > TrainingOptions.MaxMicroBatches) throw new ArgumentException($"--micro-batches must be in [1, {TrainingOptions.MaxMicroBatches}], got {parts}.");
            double labelSmoothing = parse.GetValue(smoothing);
            if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ArgumentException($"--label-smoothing must be in [0, 1], got {labelSmoothing}.");
            int limit = ReadMaxSourceTokens(parse, maxSource);
            ulong modelSeed = parse.GetValue(shared.Seed);
            var options = shared.Read(parse, new TrainingOptions
            {
                BatchSize = batchSize, MicroBatches = parts, Monitor = "bleu", MonitorGoal = MetricGoal.Maximize, RestoreBestWeights = true,
            });
            shared.EnsureMetricsNotInput(parse, ("--pairs", parse.GetValue(pairs)));
            shared.EnsureCheckpointHolds(parse, CheckpointKind.Translation);
            var kind = parse.GetValue(attention) switch
            {
                "luong-dot" => AttentionKind.LuongDot, "luong-general" => AttentionKind.LuongGeneral, "none" => AttentionKind.None, _ => AttentionKind.Bahdanau,
            };
            Seq2SeqConfig Config(int sourceVocabulary, int targetVocabulary) => new(sourceVocabulary, targetVocabulary, parse.GetValue(embedding), parse.GetValue(hidden),
                parse.GetValue(layers), parse.GetValue(cell) == "lstm" ? RecurrentCell.Lstm : RecurrentCell.Gru, parse.GetValue(bidirectional), kind,
                parse.GetValue(inputFeeding), Dropout: shared.ReadDropout(parse));
            var resumed = shared.LoadResume(parse);
            options = shared.WithCheckpointOptimizer(parse, options, resumed?.Data);
            Seq2SeqConfig? stored = null;
            if (resumed?.Data.ModelConfig is { } json)
            {
                stored = TrainingCliOptions.FromCheckpoint(resumed.Value, Seq2SeqConfig.FromJson);   // a resumed run keeps its checkpoint's model
                TrainingCliOptions.SameAsCheckpoint(parse, attention, Seq2SeqConfig.AttentionName(stored.Attention).Replace('_', '-'));
                TrainingCliOptions.SameAsCheckpoint(parse, cell, stored.Cell.ToString().ToLowerInvariant());
                TrainingCliOptions.SameAsCheckpoint(parse, bidirectional, stored.Bidirectional);
                TrainingCliOptions.SameAsCheckpoint(parse, inputFeeding, stored.InputFeeding);
                TrainingCliOptions.SameAsCheckpoint(parse, embedding, stored.EmbeddingSize);
                TrainingCliOptions.SameAsCheckpoint(parse, hidden, stored.HiddenSize);
                TrainingCliOptions.SameAsCheckpoint(parse, layers, stored.NumLayers);
                TrainingCliOptions.SameAsCheckpoint(parse, shared.Dropout, stored.Dropout);
            }
            else
            {
                if (parse.GetValue(inputFeeding) && kind is not (AttentionKind.LuongDot or AttentionKind.LuongGeneral))
                    throw new ArgumentException($"--input-feeding applies to --attention luong-dot or luong-general, not {CliGuard.Chosen(parse, attention)}: "
                                                + "drop --input-feeding or choose a Luong attention.");
                if (kind == AttentionKind.LuongDot && parse.GetValue(bidirectional))
                    throw new ArgumentException("--attention luong-dot takes the dot product of a decoder state (H) with each encoder output, which a bidirectional encoder "
                                                + $"(--bidirectional true{(CliGuard.Given(parse, bidirectional) ? "" : ", the default")}) makes 2H wide: "
                                                + "add --bidirectional false, or use --attention luong-general.");
                // Vocabularies of 4 (the special tokens) bound the size from below: a model too large for them is refused before reading the pairs.
                var least = Config(4, 4);
                TrainingCliOptions.CheckModel(least.Validate, Flags(least));
                CliGuard.EnsureTrainingFits(least.ParameterCount(), sizeof(float), $"the model ({Flags(least)})", least.ActivationValues(batchSize, 1, 1));
            }

            var data = Split(parse.GetValue(pairs)!, ParallelCorpus.Read(parse.GetValue(pairs)!), parse.GetValue(seed));
            var source = TranslationVocabulary.Build(data.TrainPairs.Select(p => p.Source));
            var target = TranslationVocabulary.Build(data.TrainPairs.Select(p => p.Target));
            int[][] trainSources = [.. data.TrainPairs.Select(p => source.EncodeSentence(p.Source))];
            int[][] trainTargets = [.. data.TrainPairs.Select(p => target.Encode(p.Target))];
            int[][] validSources = [.. data.Valid.Select(e => source.EncodeSentence(e.Source))];
            int[][] validTargets = [.. data.Valid.Select(e => target.Encode(e.MostCommonReference))];
            if (stored is not null && (stored.SourceVocabulary, stored.TargetVocabulary) != (source.Count, target.Count))
                throw new ArgumentException($"{resumed!.Value.Manifest}: the checkpoint's vocabularies ({stored.SourceVocabulary:N0} / {stored.TargetVocabulary:N0}) are not those of --pairs ({source.Count:N0} / {target.Count:N0}): other pairs or --split-seed.");
            if (stored is not null)
            {
                // Same sizes are not the same words: the weights belong to the checkpoint's token ids.
                TranslationVocabulary storedSource, storedTarget;
                try { (storedSource, storedTarget) = Seq2SeqTranslator.VocabulariesFromJson(resumed!.Value.Data.Vocabulary); }
                catch (FormatException e) { throw new CheckpointFormatException(resumed!.Value.Manifest, null, e.Message.TrimEnd('.'), e); }
                if (!storedSource.Tokens.SequenceEqual(source.Tokens) || !storedTarget.Tokens.SequenceEqual(target.Tokens))
                    throw new ArgumentException($"{resumed.Value.Manifest}: the checkpoint's vocabularies hold other words than those built from --pairs: other pairs or --split-seed.");
            }
            var config = stored ?? Config(source.Count, target.Count);
            TrainingCliOptions.CheckModel(config.Validate, Flags(config));
            EnsureFits(config, batchSize, parse.GetValue(pairs)!, data, trainSources, trainTargets, validSources, validTargets);
            // The validation sources are decoded at each evaluation and the test sources at the end: their lengths before any training.
            EnsureShortEnough(parse.GetValue(pairs)!, "valid", data.Valid, limit);
            EnsureShortEnough(parse.GetValue(pairs)!, "test", data.Test, limit);

            using var pool = new WorkerPool(threads);
            var model = new Seq2Seq<float>(config, new SeededRng(modelSeed));
            var greedy = new Seq2SeqTranslator(model, source, target, new DecodingOptions(BeamWidth: 1), pool);
            var validRefs = data.Valid.Select(e => e.References).ToArray();
            var validWords = data.Valid.Select(e => TranslationVocabulary.Tokenize(e.Source)).ToArray();
            var task = new TranslationTask<float>(model, trainSources, trainTargets, validSources, validTargets, greedy.Specials, options.BatchSize, options.Seed)
            {
                Scorer = hyps => Bleu.CorpusOfText([.. hyps.Select((h, i) => greedy.Words(h, validWords[i]))], validRefs).Score,
                Decoding = new DecodingOptions(BeamWidth: 1),
                LabelSmoothing = labelSmoothing,
                Vocabulary = Seq2SeqTranslator.VocabulariesToJson(source, target),
            };
            long parameters = model.Parameters().Sum(p => (long)p.Value.Length);
            output.WriteLine($"data: {data.TrainPairs.Count:N0} training pairs, {data.Valid.Count:N0} valid and {data.Test.Count:N0} test sources; vocabularies {source.Count:N0} / {target.Count:N0}");
            output.WriteLine($"model: {config.Cell.ToString().ToLowerInvariant()} E={config.EmbeddingSize} H={config.HiddenSize} L={config.NumLayers}{(config.Bidirectional ? " bidirectional" : "")}, attention {Seq2SeqConfig.AttentionName(config.Attention).Replace('_', '-')}, dropout {config.Dropout}, {parameters:N0} parameters");
            var display = TrainingDisplay.For(output);
            var trainer = new Trainer<float>(model, task, options, pool, display);
            // The directory too: RestoreBestWeights takes the best weights so far from the best checkpoint beside it.
            if (resumed is { } from) TrainingCliOptions.ResumeFrom(from, options, data => trainer.Resume(data, Path.GetDirectoryName(from.Manifest)!));
            var result = display.Run(trainer.Train);
            display.Summary(result, options, trainer.Timings);

            model.Eval();
            foreach (int k in new[] { 1, 5 })
            {
                var translator = new Seq2SeqTranslator(model, source, target, new DecodingOptions(BeamWidth: k), pool);
                var report = TranslationEvaluation.Evaluate(translator, data.Test);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test, {translator.Description} ({report.Seconds:F1} s): {report.Bleu}"));
            }
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Refuses a model whose batches cannot fit in memory, the validation batches included (they run the same encoder and
    /// attention over their pairs): when the sizes are fine for short pairs, the message names the longest source and
    /// target by their lines of the pairs file.
    /// </summary>
    private static void EnsureFits(Seq2SeqConfig config, int batchSize, string path, TranslationSplit data,
        int[][] trainSources, int[][] trainTargets, int[][] validSources, int[][] validTargets)
    {
        var (sourceLength, sourceLine) = Longest(trainSources, data.TrainPairs.Select(p => p.Line), validSources, data.Valid.Select(e => e.FirstLine));
        var (targetLength, targetLine) = Longest(trainTargets, data.TrainPairs.Select(p => p.Line), validTargets, data.Valid.Select(e => e.FirstLine));
        string model = $"the model ({Flags(config)}, vocabularies {config.SourceVocabulary:N0} / {config.TargetVocabulary:N0})";
        try
        {
            CliGuard.EnsureTrainingFits(config.ParameterCount(), sizeof(float), model, config.ActivationValues(batchSize, sourceLength, targetLength));
        }
        catch (ArgumentException) when (Fits(config, batchSize, model))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: the longest source, line {sourceLine}, has {sourceLength:N0} tokens and the longest target, line {targetLine}, {targetLength:N0}; " +
                $"batches of {batchSize} such pairs do not fit in memory with {model}: remove or split the long pairs."));
        }
    }

    // True when batches of one-token pairs fit: then the lengths, not the model, are what does not.
    private static bool Fits(Seq2SeqConfig config, int batchSize, string model)
    {
        try { CliGuard.EnsureTrainingFits(config.ParameterCount(), sizeof(float), model, config.ActivationValues(batchSize, 1, 1)); return true; }
        catch (ArgumentException) { return false; }
    }

    // The most tokens of a sentence (⟨eos⟩ included) among the training and validation ones, and its line in the pairs file.
    private static (int Length, int Line) Longest(int[][] train, IEnumerable<int> trainLines, int[][] valid, IEnumerable<int> validLines) =>
        train.Zip(trainLines).Concat(valid.Zip(validLines)).Select(x => (x.First.Length, x.Second)).MaxBy(x => x.Length);

    private static string Flags(Seq2SeqConfig c) => $"--embedding {c.EmbeddingSize} --hidden {c.HiddenSize} --layers {c.NumLayers}";

    /// <summary>The widest beam of a translation model (each hypothesis decodes its own step).</summary>
    public const int MaxBeam = 64;

    /// <summary>Throws unless 1 ≤ <paramref name="beam"/> ≤ <see cref="MaxBeam"/>.</summary>
    public static int CheckBeam(int beam) => beam is >= 1 and <= MaxBeam ? beam : throw new ArgumentException($"--beam must be in [1, {MaxBeam}], got {beam}.");

    /// <summary>
    /// <see cref="Seq2SeqTranslator.LoadModel"/> for a line of the CLI: a refusal, which begins with the directory given,
    /// without .NET's parameter suffix.
    /// </summary>
    public static (Seq2Seq<float> Model, TranslationVocabulary Source, TranslationVocabulary Target) LoadModel(string directory)
    {
        try { return Seq2SeqTranslator.LoadModel(directory); }
        catch (ArgumentException e) { throw new ArgumentException(CliGuard.WithoutParameter(e), e); }
    }

    /// <summary>
    /// A model saved by <c>translate train</c> as a translator (<paramref name="directory"/> may hold best/ and last/). With
    /// <paramref name="split"/>, the model's vocabularies must be those built from that split's training pairs, as
    /// <c>translate train</c> builds them: other ones mean it was trained on other pairs or another <c>--split-seed</c>, so
    /// the part being scored may hold sentences it was trained on.
    /// </summary>
    public static ITranslator LoadTranslator(string directory, DecodingOptions decoding, bool replaceUnknown, WorkerPool pool, TranslationSplit? split = null)
    {
        CheckBeam(decoding.BeamWidth);
        decoding.Validate();
        var (model, source, target) = LoadModel(directory);
        if (split is not null
            && (!source.Tokens.SequenceEqual(TranslationVocabulary.Build(split.TrainPairs.Select(p => p.Source)).Tokens)
                || !target.Tokens.SequenceEqual(TranslationVocabulary.Build(split.TrainPairs.Select(p => p.Target)).Tokens)))
            throw new ArgumentException($"{directory}: the model's vocabularies are not those of the training part of --pairs with --split-seed {split.Seed}: "
                                        + "it was trained on other pairs or another split, so the part scored here may hold its training sentences.");
        if (replaceUnknown && model.Config.Attention == AttentionKind.None)
            throw new ArgumentException($"--replace-unk: the model in {directory} has no attention (it was trained with --attention none) to say which source word to copy.");
        return new Seq2SeqTranslator(model, source, target, decoding, pool, replaceUnknown);
    }
}
