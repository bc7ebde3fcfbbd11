using System.CommandLine;
using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Generation;
using SeqLearn.Kernels;
using SeqLearn.LanguageModeling;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;
using SeqLearn.Text;
using SeqLearn.Training;

namespace SeqLearn.Cli;

/// <summary>
/// <c>seqlearn train</c>: trains a recurrent language model (char or word level) with <see cref="LanguageModelTrainer{T}"/>,
/// shows progress, keeps best/last checkpoints and prints a sample. Without a corpus it trains a small char-LSTM on the
/// engine's own C# sources (embedded in the CLI) for 60 s.
/// </summary>
public static class TrainCommand
{
    /// <summary>Builds the <c>train</c> command.</summary>
    public static Command Create()
    {
        var corpus = new Option<string>("--corpus", "-c") { Description = "One UTF-8 text file, split contiguously: the first part trains, the last --valid-fraction validates. Without --corpus and --train: the embedded SeqLearn sources." };
        var validFraction = new Option<double>("--valid-fraction") { Description = "Fraction of --corpus (the end) used for validation.", DefaultValueFactory = _ => 0.1 };
        var trainFile = new Option<string>("--train") { Description = "Training text file (UTF-8); use with --valid instead of --corpus." };
        var validFile = new Option<string>("--valid") { Description = "Validation text file (UTF-8); use with --train." };
        var level = new Option<string>("--level") { Description = "Tokens: char (every Unicode character; vocabulary = sorted distinct characters) or word (whitespace words, <eos> per line).", DefaultValueFactory = _ => "char" };
        level.AcceptOnlyFromAmong("char", "word");
        var cell = new Option<string>("--cell") { Description = "Recurrent cell: lstm, gru or rnn (tanh).", DefaultValueFactory = _ => "lstm" };
        cell.AcceptOnlyFromAmong("lstm", "gru", "rnn");
        var embedding = new Option<int>("--embedding") { Description = "Embedding size E.", DefaultValueFactory = _ => 64 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units per layer H.", DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers L.", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch", "-b") { Description = "B, parallel contiguous streams per step.", DefaultValueFactory = _ => 32 };
        var microBatches = new Option<int>("--micro-batches") { Description = "Parts each batch's streams are split into, run side by side on the threads, their gradients added in order (results depend on this, not on --threads).", DefaultValueFactory = _ => 2 };
        var bptt = new Option<int>("--bptt") { Description = "T, steps per truncated-BPTT window (the state is carried across windows, detached).", DefaultValueFactory = _ => 64 };
        var initRange = new Option<double?>("--init-range") { Description = "Draw every weight from U(-r, r) instead of PyTorch's per-layer defaults (Zaremba et al.: 0.1)." };
        var tie = new Option<bool>("--tie-weights") { Description = "Share the embedding table with the output layer (needs --embedding = --hidden)." };
        var shared = new TrainingCliOptions();
        var sample = new Option<int>("--sample") { Description = "Tokens to generate after training (0 = none).", DefaultValueFactory = _ => 300 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature of the final sample (0 = greedy).", DefaultValueFactory = _ => 0.8 };
        var prompt = new Option<string>("--prompt") { Description = "Text the sample starts from (default: the first token of the validation text)." };

        var command = new Command("train", "Train a recurrent language model (LSTM/GRU/RNN) with truncated BPTT; with no corpus, a small char-LSTM on SeqLearn's own sources for 60 s.")
        {
            corpus, validFraction, trainFile, validFile, level, cell, embedding, hidden, layers, batch, microBatches, bptt, initRange, tie, sample, temperature, prompt,
        };
        shared.AddTo(command);
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                // Every option is checked before any file is read or anything is trained.
                var textLevel = parse.GetValue(level) == "word" ? TextLevel.Word : TextLevel.Char;
                int threadCount = shared.ReadThreads(parse);
                double sampleTemperature = parse.GetValue(temperature);   // checked before training, not after it
                if (!(sampleTemperature >= 0 && double.IsFinite(sampleTemperature)))
                    throw new ArgumentException($"--temperature must be a number ≥ 0, got {sampleTemperature}.");
                if (parse.GetValue(sample) < 0) throw new ArgumentException($"--sample must be ≥ 0, got {parse.GetValue(sample)}.");
                if (parse.GetValue(sample) == 0)
                    CliGuard.RefuseIfGiven(parse, o => $"{o} shapes the sample printed after training, which --sample 0 turns off: drop {o} or give --sample N > 0.",
                        temperature, prompt);
                CheckCorpusOptions(parse.GetValue(corpus), parse.GetValue(trainFile), parse.GetValue(validFile));
                if (parse.GetValue(trainFile) is not null)   // and so --valid too, without --corpus
                    CliGuard.RefuseIfGiven(parse, o => $"{o} splits --corpus; --train and --valid give the two parts already: drop {o}.", validFraction);
                double fraction = parse.GetValue(validFraction);
                if (!(fraction > 0 && fraction < 1)) throw new ArgumentException($"--valid-fraction must be in (0, 1), got {fraction}.");
                int b = parse.GetValue(batch), t = parse.GetValue(bptt);
                if (b < 1 || t < 1) throw new ArgumentException($"--batch and --bptt must be at least 1, got {b} and {t}.");
                int parts = parse.GetValue(microBatches);
                if (parts is < 1 or > TrainingOptions.MaxMicroBatches) throw new ArgumentException($"--micro-batches must be in [1, {TrainingOptions.MaxMicroBatches}], got {parts}.");
                if ((long)b * t > Array.MaxLength)
                    throw new ArgumentException($"--batch × --bptt = {b} × {t} = {(long)b * t:N0} tokens per window, more than one array holds ({Array.MaxLength:N0}).");
                if (parse.GetValue(initRange) is { } range && !(range > 0 && double.IsFinite(range)))
                    throw new ArgumentException($"--init-range must be a positive number, got {range}.");
                ulong seedValue = parse.GetValue(shared.Seed);
                var options = shared.Read(parse, new TrainingOptions { BatchSize = b, Bptt = t, MicroBatches = parts });
                shared.EnsureMetricsNotInput(parse, ("--corpus", parse.GetValue(corpus)), ("--train", parse.GetValue(trainFile)), ("--valid", parse.GetValue(validFile)));
                shared.EnsureCheckpointHolds(parse, CheckpointKind.LanguageModel);
                var resumed = shared.LoadResume(parse);
                options = shared.WithCheckpointOptimizer(parse, options, resumed?.Data);
                options = WithCheckpointWindows(parse, batch, bptt, options, resumed?.Data.TrainerState);
                LanguageModelConfig? config = null;
                if (resumed?.Data.ModelConfig is { } stored)
                {
                    config = TrainingCliOptions.FromCheckpoint(resumed.Value, LanguageModelConfig.FromJson);
                    TrainingCliOptions.SameAsCheckpoint(parse, embedding, config.EmbeddingSize);
                    TrainingCliOptions.SameAsCheckpoint(parse, hidden, config.HiddenSize);
                    TrainingCliOptions.SameAsCheckpoint(parse, layers, config.NumLayers);
                    TrainingCliOptions.SameAsCheckpoint(parse, cell, config.Cell.ToString().ToLowerInvariant());
                    TrainingCliOptions.SameAsCheckpoint(parse, tie, config.TieWeights);
                    TrainingCliOptions.SameAsCheckpoint(parse, initRange, config.InitRange);
                    TrainingCliOptions.SameAsCheckpoint(parse, shared.Dropout, config.Dropout);
                    TrainingCliOptions.SameAsCheckpoint(parse, level, TrainCorpus.IsWordVocabulary(resumed.Value.Data.Vocabulary) ? "word" : "char");
                }
                else
                {
                    int e = parse.GetValue(embedding), h = parse.GetValue(hidden), l = parse.GetValue(layers);
                    if (e < 1 || h < 1 || l < 1) throw new ArgumentException($"--embedding, --hidden and --layers must be at least 1, got {e}, {h} and {l}.");
                    if (parse.GetValue(tie) && e != h)
                        throw new ArgumentException($"--tie-weights shares the embedding table with the output layer, so it needs --embedding = --hidden, got {e} and {h}.");
                    // The smallest vocabulary (V = 2) already bounds the size from below: a model too large for it is refused before reading the corpus.
                    var least = new LanguageModelConfig(2, e, h, l, ParseCell(parse.GetValue(cell)!), shared.ReadDropout(parse), parse.GetValue(tie), parse.GetValue(initRange));
                    TrainingCliOptions.CheckModel(least.Validate, $"--embedding {e} --hidden {h} --layers {l}");
                    CliGuard.EnsureTrainingFits(least.ParameterCount(), sizeof(float), $"the model (--embedding {e} --hidden {h} --layers {l})", least.ActivationValues(b, t));
                }
                var data = LoadCorpus(parse.GetValue(corpus), parse.GetValue(trainFile), parse.GetValue(validFile), fraction,
                    textLevel, resumed?.Data.Vocabulary, resumed?.Manifest);
                config ??= new LanguageModelConfig(data.Vocabulary.Count, parse.GetValue(embedding), parse.GetValue(hidden), parse.GetValue(layers),
                    ParseCell(parse.GetValue(cell)!), shared.ReadDropout(parse), parse.GetValue(tie), parse.GetValue(initRange));
                TrainingCliOptions.CheckModel(config.Validate, $"--embedding {config.EmbeddingSize} --hidden {config.HiddenSize} --layers {config.NumLayers}");
                if (resumed is { } r   // the stored config against the stored tensors, before a model is built from it
                    && CheckpointTensorCheck.LanguageModelMismatch(config, r.Data.Parameters.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal)) is { } mismatch)
                    throw new CheckpointFormatException(r.Manifest, null, $"the weights do not fit model_config: {mismatch}");
                if (parse.GetValue(sample) > 0 && parse.GetValue(prompt) is { Length: > 0 } given)
                {
                    try { data.Vocabulary.Encode(given); }   // a prompt outside the vocabulary fails now, not after training
                    catch (ArgumentException e) { throw new ArgumentException($"--prompt: {CliGuard.MessageForUser(e)}", e); }
                }

                EnsureLongEnough(data, parse.GetValue(trainFile), parse.GetValue(validFile), options);

                CliGuard.EnsureTrainingFits(config.ParameterCount(), sizeof(float),
                    $"the model (--embedding {config.EmbeddingSize} --hidden {config.HiddenSize} --layers {config.NumLayers}, vocabulary {config.VocabularySize:N0})",
                    config.ActivationValues(options.BatchSize, options.Bptt));
                using var pool = new WorkerPool(threadCount);
                var model = new LanguageModel<float>(config, new SeededRng(seedValue));
                var display = TrainingDisplay.For(output);
                var trainer = new LanguageModelTrainer<float>(model, data.Train, data.Valid, options, pool, display, data.VocabularyJson);
                if (resumed is { } from) TrainingCliOptions.ResumeFrom(from, options, trainer.Resume);
                Header(output, data, config, options, trainer, threadCount);
                var result = display.Run(trainer.Train);
                display.Summary(result, options, trainer.Timings);

                int sampleLength = parse.GetValue(sample);
                if (sampleLength > 0)
                {
                    string start = parse.GetValue(prompt) is { Length: > 0 } p ? p : data.Vocabulary.Decode([data.Valid[0]]);
                    output.WriteLine($"sample (temperature {parse.GetValue(temperature)}):");
                    var generator = new TextGenerator(model, data.Vocabulary);
                    output.Write(generator.PromptText(start));   // as generate writes it: <eos> in a word prompt is the newline the pieces continue from
                    foreach (string piece in generator.Generate(start, sampleLength, new SamplingOptions(Temperature: parse.GetValue(temperature)), new SeededRng(seedValue + 1)))
                        output.Write(piece);
                    output.WriteLine();
                }
                return 0;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TextFormatException or ArgumentException or FormatException
                                           or CheckpointFormatException or IncompatibleCheckpointException or TrainingDivergedException
                                           or OverflowException or OutOfMemoryException)
            {
                error.WriteLine(CliGuard.Describe(ex));
                return 1;
            }
        });
        return command;
    }


    /// <summary>
    /// A resumed run keeps its checkpoint's B and T, as it keeps its model: <c>--batch</c> and <c>--bptt</c> not given
    /// are read from the task state; given ones stay, and the task refuses them if they differ from the checkpoint's.
    /// </summary>
    private static TrainingOptions WithCheckpointWindows(ParseResult parse, Option<int> batch, Option<int> bptt, TrainingOptions options, JsonObject? trainerState)
    {
        if (trainerState?["task"] is not JsonObject task) return options;
        static int? Stored(JsonObject task, string key) =>
            task[key] is JsonValue v && v.TryGetValue(out int n) && n >= 1 ? n : null;
        if (!CliGuard.Given(parse, batch) && Stored(task, "batch_size") is int b) options = options with { BatchSize = b };
        if (!CliGuard.Given(parse, bptt) && Stored(task, "bptt") is int t) options = options with { Bptt = t };
        return options;
    }
    /// <summary>
    /// Refuses, naming the file and the options, a text shorter than one window: the training part needs
    /// B·(T + 1) tokens (B streams of T inputs and one more target), the validation part 2·B (one input and one
    /// target per stream), as <see cref="SeqLearn.Data.BpttBatcher"/> asks of them.
    /// </summary>
    private static void EnsureLongEnough(TrainCorpus data, string? trainPath, string? validPath, TrainingOptions options)
    {
        int b = options.BatchSize, t = options.Bptt;
        long trainNeeds = (long)b * (t + 1L), validNeeds = 2L * b;
        if (data.Train.Length < trainNeeds)
            throw new ArgumentException($"{trainPath ?? data.Source}: the training text has {data.Train.Length:N0} tokens, fewer than one window of --batch {b} streams "
                                        + $"× (--bptt {t} steps + 1 target) = {trainNeeds:N0}: give a longer text or a smaller --batch or --bptt.");
        if (data.Valid.Length < validNeeds)
            throw new ArgumentException($"{validPath ?? data.Source}: the validation text has {data.Valid.Length:N0} tokens, fewer than --batch {b} streams "
                                        + $"× 2 (one input, one target) = {validNeeds:N0}: give "
                                        + (validPath is null ? "a larger --valid-fraction" : "a longer --valid text") + " or a smaller --batch.");
    }

    private static void Header(TextWriter output, TrainCorpus data, LanguageModelConfig config, TrainingOptions options, LanguageModelTrainer<float> trainer, int threads)
    {
        long parameters = trainer.Model.Parameters().Sum(p => (long)p.Value.Length);
        output.WriteLine($"corpus: {data.Source}: {data.Train.Length:N0} train + {data.Valid.Length:N0} valid tokens, vocabulary {data.Vocabulary.Count:N0}");
        output.WriteLine($"model: {config.Cell.ToString().ToLowerInvariant()} E={config.EmbeddingSize} H={config.HiddenSize} L={config.NumLayers} dropout={config.Dropout}" +
                         $"{(config.TieWeights ? " tied" : "")}, {parameters:N0} parameters");
        string stop = string.Join(" or ", new[]
        {
            options.Epochs is { } e ? $"{e} epochs" : null,
            options.TimeBudget is { } t ? $"{t.TotalSeconds:0.#} s" : null,
            options.MaxSteps is { } m ? $"{m:N0} steps" : null,
        }.Where(x => x is not null));
        output.WriteLine($"training: B={options.BatchSize} T={options.Bptt}, {trainer.WindowsPerEpoch:N0} windows/epoch, {options.Optimizer.ToString().ToLowerInvariant()} lr={options.LearningRate}" +
                         $", clip={options.ClipNorm?.ToString() ?? "off"}, {threads} threads, until {stop}" + (trainer.Step > 0 ? $"; resumed at step {trainer.Step:N0}" : ""));
    }

    // One source of text: --corpus (or none, the embedded sources), or --train with --valid.
    private static void CheckCorpusOptions(string? corpus, string? train, string? valid)
    {
        if (corpus is not null && (train is not null || valid is not null))
            throw new ArgumentException("give either --corpus or --train with --valid, not both.");
        if ((train is null) != (valid is null))
            throw new ArgumentException("--train and --valid go together (or use --corpus FILE with --valid-fraction).");
    }

    // The options are those CheckCorpusOptions accepted.
    private static TrainCorpus LoadCorpus(string? corpus, string? train, string? valid, double validFraction, TextLevel level, JsonNode? stored,
        string? storedFrom)
    {
        return train is not null
            ? TrainCorpus.FromTwoTexts(train, valid!, level, stored, storedFrom)
            : TrainCorpus.FromOneText(corpus, validFraction, level, stored, storedFrom);
    }

    private static RecurrentCell ParseCell(string name) => name switch
    {
        "gru" => RecurrentCell.Gru,
        "rnn" => RecurrentCell.Rnn,
        _ => RecurrentCell.Lstm,
    };
}
