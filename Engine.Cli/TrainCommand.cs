using System.CommandLine;
using SeqLearn.Checkpoints;
using SeqLearn.Generation;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;
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
        var bptt = new Option<int>("--bptt") { Description = "T, steps per truncated-BPTT window (the state is carried across windows, detached).", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Learning rate η₀.", DefaultValueFactory = _ => 0.002 };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, adam or adamw.", DefaultValueFactory = _ => "adam" };
        optimizer.AcceptOnlyFromAmong("sgd", "adam", "adamw");
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum μ (0 = none)." };
        var nesterov = new Option<bool>("--nesterov") { Description = "SGD with Nesterov momentum (needs --momentum > 0)." };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay λ (L2 for sgd and adam, decoupled for adamw)." };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: constant, step (×--gamma every --step-size epochs), cosine (over --epochs) or plateau (×--gamma when the validation loss stops improving).", DefaultValueFactory = _ => "constant" };
        schedule.AcceptOnlyFromAmong("constant", "step", "cosine", "plateau");
        var stepSize = new Option<int>("--step-size") { Description = "Epochs between decays of --schedule step.", DefaultValueFactory = _ => 1 };
        var gamma = new Option<double>("--gamma") { Description = "Decay factor of --schedule step and plateau.", DefaultValueFactory = _ => 0.5 };
        var firstDecay = new Option<int?>("--first-decay-epoch") { Description = "--schedule step: the first epoch (0-based) run at a decayed rate (default --step-size; Zaremba et al.'s PTB schedule: --step-size 1 --first-decay-epoch 4)." };
        var initRange = new Option<double?>("--init-range") { Description = "Draw every weight from U(-r, r) instead of PyTorch's per-layer defaults (Zaremba et al.: 0.1)." };
        var clip = new Option<double>("--clip") { Description = "Clip the global gradient 2-norm to this value (0 = no clipping).", DefaultValueFactory = _ => 5.0 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout on embeddings, between layers and on the output, in [0, 1)." };
        var tie = new Option<bool>("--tie-weights") { Description = "Share the embedding table with the output layer (needs --embedding = --hidden)." };
        var epochs = new Option<int?>("--epochs") { Description = "Stop after this many passes over the training text." };
        var budget = new Option<double?>("--time-budget") { Description = "Stop at the first step past this many seconds of training (evaluation excluded). Default 60 when neither --epochs nor --max-steps is given." };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Stop after this many optimizer steps in total." };
        var evalEvery = new Option<int>("--eval-every") { Description = "Evaluate on the validation text every this many steps (0: every --eval-every-seconds, and at the end)." };
        var evalSeconds = new Option<double?>("--eval-every-seconds") { Description = "Also evaluate after this many seconds of training since the last evaluation (default 15 when --eval-every is 0)." };
        var patience = new Option<int?>("--patience") { Description = "Early stopping: stop after this many evaluations without a lower validation loss." };
        var threads = new Option<int>("--threads", "-t") { Description = "Worker threads for the kernels (results are identical for any count).", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 4) };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights, dropout and sampling: the same seed and data give the same run.", DefaultValueFactory = _ => 1UL };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Directory for checkpoints: DIR/best (lowest validation loss) and DIR/last (written atomically at each evaluation)." };
        var resume = new Option<string>("--resume") { Description = "Continue from a checkpoint directory (DIR/last, or a run directory containing last/); the model and vocabulary come from it and the losses continue exactly." };
        var metrics = new Option<string>("--metrics") { Description = "Append JSON-lines metrics (step, losses, bpc, tokens/s, lr) to this file." };
        var sample = new Option<int>("--sample") { Description = "Tokens to generate after training (0 = none).", DefaultValueFactory = _ => 300 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature of the final sample (0 = greedy).", DefaultValueFactory = _ => 0.8 };
        var prompt = new Option<string>("--prompt") { Description = "Text the sample starts from (default: the first token of the validation text)." };

        var command = new Command("train", "Train a recurrent language model (LSTM/GRU/RNN) with truncated BPTT; with no corpus, a small char-LSTM on SeqLearn's own sources for 60 s.")
        {
            corpus, validFraction, trainFile, validFile, level, cell, embedding, hidden, layers, batch, bptt, lr, optimizer, momentum, nesterov, weightDecay,
            schedule, stepSize, gamma, firstDecay, initRange, clip, dropout, tie, epochs, budget, maxSteps, evalEvery, evalSeconds, patience, threads, seed, checkpoint, resume,
            metrics, sample, temperature, prompt,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var textLevel = parse.GetValue(level) == "word" ? TextLevel.Word : TextLevel.Char;
                CheckpointData<float>? resumed = null;
                if (parse.GetValue(resume) is { } resumeDir)
                {
                    string dir = File.Exists(Path.Combine(resumeDir, Checkpoint.ManifestFileName)) || !Directory.Exists(Path.Combine(resumeDir, "last"))
                        ? resumeDir : Path.Combine(resumeDir, "last");
                    resumed = Checkpoint.Load<float>(dir);
                }
                var data = LoadCorpus(parse.GetValue(corpus), parse.GetValue(trainFile), parse.GetValue(validFile), parse.GetValue(validFraction),
                    textLevel, resumed?.Vocabulary);
                var config = resumed?.ModelConfig is { } stored
                    ? LanguageModelConfig.FromJson(stored)
                    : new LanguageModelConfig(data.Vocabulary.Count, parse.GetValue(embedding), parse.GetValue(hidden), parse.GetValue(layers),
                        ParseCell(parse.GetValue(cell)!), parse.GetValue(dropout), parse.GetValue(tie), parse.GetValue(initRange));
                config.Validate();

                int evalSteps = parse.GetValue(evalEvery);
                if (evalSteps < 0) throw new ArgumentException($"--eval-every must be ≥ 0, got {evalSteps}.");
                double? evalTime = parse.GetValue(evalSeconds) ?? (evalSteps == 0 ? 15 : null);
                int? epochCount = parse.GetValue(epochs);
                long? stepCount = parse.GetValue(maxSteps);
                double? seconds = parse.GetValue(budget) ?? (epochCount is null && stepCount is null ? 60 : null);
                double clipNorm = parse.GetValue(clip);
                if (clipNorm < 0) throw new ArgumentException($"--clip must be ≥ 0, got {clipNorm}.");
                if (evalTime is <= 0) throw new ArgumentException($"--eval-every-seconds must be positive, got {evalTime}.");
                int threadCount = parse.GetValue(threads);
                if (threadCount < 1) throw new ArgumentException($"--threads must be ≥ 1, got {threadCount}.");
                ulong seedValue = parse.GetValue(seed);
                var options = new TrainingOptions
                {
                    BatchSize = parse.GetValue(batch), Bptt = parse.GetValue(bptt),
                    Optimizer = parse.GetValue(optimizer) switch { "sgd" => OptimizerChoice.Sgd, "adamw" => OptimizerChoice.AdamW, _ => OptimizerChoice.Adam },
                    LearningRate = parse.GetValue(lr), Momentum = parse.GetValue(momentum), Nesterov = parse.GetValue(nesterov), WeightDecay = parse.GetValue(weightDecay),
                    Schedule = parse.GetValue(schedule) switch
                    {
                        "step" => ScheduleChoice.StepDecay, "cosine" => ScheduleChoice.Cosine, "plateau" => ScheduleChoice.ReduceOnPlateau, _ => ScheduleChoice.Constant,
                    },
                    StepSize = parse.GetValue(stepSize), Gamma = parse.GetValue(gamma), FirstDecayEpoch = parse.GetValue(firstDecay),
                    ClipNorm = clipNorm > 0 ? clipNorm : null,
                    Epochs = epochCount, MaxSteps = stepCount, TimeBudget = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                    EvalEverySteps = evalSteps, EvalEveryTime = evalTime is { } e ? TimeSpan.FromSeconds(e) : null,
                    Patience = parse.GetValue(patience), Seed = seedValue ^ 0x9E3779B97F4A7C15UL,
                    CheckpointDirectory = parse.GetValue(checkpoint), MetricsPath = parse.GetValue(metrics),
                };
                options.Validate();

                using var pool = new WorkerPool(threadCount);
                var model = new LanguageModel<float>(config, new SeededRng(seedValue));
                var display = new TrainDisplay(output, interactive: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
                var trainer = new LanguageModelTrainer<float>(model, data.Train, data.Valid, options, pool, display, data.VocabularyJson);
                if (resumed is not null) trainer.Resume(resumed);
                display.Header(data, config, options, trainer, threadCount);
                // Ctrl+C ends training after the current step; the final evaluation and the last checkpoint still run.
                using var interrupt = new CancellationTokenSource();
                ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; interrupt.Cancel(); };
                Console.CancelKeyPress += onCancel;
                TrainingResult result;
                try { result = display.Run(trainer, interrupt.Token); }
                finally { Console.CancelKeyPress -= onCancel; }
                display.Summary(result, options, trainer.Timings);

                int sampleLength = parse.GetValue(sample);
                if (sampleLength > 0)
                {
                    string start = parse.GetValue(prompt) is { Length: > 0 } p ? p : data.Vocabulary.Decode([data.Valid[0]]);
                    output.WriteLine($"sample (temperature {parse.GetValue(temperature)}):");
                    var generator = new TextGenerator(model, data.Vocabulary);
                    output.Write(start);
                    foreach (string piece in generator.Generate(start, sampleLength, new SamplingOptions(Temperature: parse.GetValue(temperature)), new SeededRng(seedValue + 1)))
                        output.Write(piece);
                    output.WriteLine();
                }
                return 0;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TextFormatException or ArgumentException or FormatException
                                           or CheckpointFormatException or IncompatibleCheckpointException or TrainingDivergedException)
            {
                error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static TrainCorpus LoadCorpus(string? corpus, string? train, string? valid, double validFraction, TextLevel level, System.Text.Json.Nodes.JsonNode? stored)
    {
        if (corpus is not null && (train is not null || valid is not null))
            throw new ArgumentException("give either --corpus or --train with --valid, not both.");
        if ((train is null) != (valid is null))
            throw new ArgumentException("--train and --valid go together (or use --corpus FILE with --valid-fraction).");
        return train is not null
            ? TrainCorpus.FromTwoTexts(train, valid!, level, stored)
            : TrainCorpus.FromOneText(corpus, validFraction, level, stored);
    }

    private static RecurrentCell ParseCell(string name) => name switch
    {
        "gru" => RecurrentCell.Gru,
        "rnn" => RecurrentCell.Rnn,
        _ => RecurrentCell.Lstm,
    };
}
