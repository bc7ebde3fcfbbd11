using System.Globalization;
using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Classification;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Optim;
using SeqLearn.Tests.Support;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Classification;

/// <summary>
/// Parity of the recurrent sentence classifier with PyTorch 1.13: scripts/pytorch_classifier_fixture.py builds the model of
/// <see cref="RecurrentClassifierOptions.Build"/> (embedding → (bi)LSTM/GRU over a padded batch through
/// pack_padded_sequence → max / mean / last-step pooling → linear) in float64, and stores per case, in
/// Engine.Tests/Fixtures/classification/&lt;case&gt;.safetensors, the weights under SeqLearn's parameter names, the batch
/// (ids, lengths, labels), the logits, the mean cross-entropy and ∂L/∂θ of every parameter as <c>grad.&lt;name&gt;</c>.
/// </summary>
/// <remarks>
/// The SeqLearn model is the one <see cref="RecurrentClassifierOptions.Build"/> makes for the case's settings (dropout
/// p = 0), rebuilt as <c>Sequential&lt;double&gt;</c> from its <see cref="LayerConfig"/> so both sides compute in float64;
/// the options have no layer count, so the two-layer case sets <c>num_layers</c> = 2 in that config (the stack a
/// checkpoint of such a model describes). The loss and gradients come from <see cref="SequenceClassificationTask{T}"/>'s
/// training loss on one batch of the four examples. Tolerance in float64: |a − e| ≤ 1e-9 + 1e-9·|e| (the two sides
/// agree to about 1e-15; a wrong step, mask or gradient is off by far more). The float model of
/// <see cref="RecurrentClassifierOptions.Build"/> itself, with the weights rounded to float, is checked to 1e-5 (observed: 6e-8).
/// </remarks>
public sealed class ClassifierPyTorchParityTests(ITestOutputHelper output)
{
    private const double DoubleTol = 1e-9, FloatTol = 1e-5;
    private static readonly string[] BatchEntries = ["ids", "lengths", "labels", "logits", "loss"];

    private static readonly string[] CaseNames = ["lstm_bidir_max", "lstm_bidir_mean", "gru_last", "lstm_bidir_last_2layers"];

    public static TheoryData<string> Cases => new(CaseNames);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Double_LogitsLossAndGradients_MatchPyTorch(string name) => Check<double>(name, DoubleTol);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float_BuiltClassifier_MatchesPyTorch(string name) => Check<float>(name, FloatTol);

    [Fact]
    public void Fixtures_CoverTheDefaultPoolingsCellsAndTwoLayers()
    {
        var cases = CaseNames.Select(Fixture.Load).ToList();
        var cli = new RecurrentClassifierOptions();
        Assert.Contains(cases, f => f.Layers == 1 && (f.Options.Cell, f.Options.Bidirectional, f.Options.Pooling) == (cli.Cell, cli.Bidirectional, cli.Pooling));
        Assert.Equal(Enum.GetValues<SequencePooling>().Order(), cases.Select(f => f.Options.Pooling).Distinct().Order());
        Assert.Contains(cases, f => f.Options.Cell == RecurrentCell.Gru && !f.Options.Bidirectional);
        Assert.Contains(cases, f => f.Layers == 2);
        // A full-length row, a row of one word and padding in between.
        Assert.All(cases, f => Assert.True(f.Lengths.Contains(f.Steps) && f.Lengths.Contains(1), $"{f.Name}: lengths {string.Join(", ", f.Lengths)}"));
    }

    private void Check<T>(string name, double tol) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var f = Fixture.Load(name);
        var model = f.Build<T>();
        var parameterNames = f.File.Tensors.Select(t => t.Name).Where(n => !n.StartsWith("grad.", StringComparison.Ordinal) && !BatchEntries.Contains(n)).ToList();
        Assert.Equal(parameterNames.Order(StringComparer.Ordinal), model.NamedParameters().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(parameterNames.Select(n => "grad." + n).Order(StringComparer.Ordinal),
            f.File.Tensors.Select(t => t.Name).Where(n => n.StartsWith("grad.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        model.LoadStateDict(parameterNames.ToDictionary(n => n, n => f.Read<T>(n)));

        // Logits of the padded batch as the fixture gives it (rows in its order, padded to T with 0).
        var logits = model.Forward(f.Ids, f.Batch, f.Steps, new LayerContext(Lengths: f.Lengths));
        Compare(f.Read<T>("logits"), logits.Value, tol, $"{name} ({typeof(T).Name}): logits");

        // The training loss and its gradients as the task computes them: one batch holding the four examples.
        var data = new LabeledSequences([.. Enumerable.Range(0, f.Batch).Select(b => f.Ids.AsSpan(b * f.Steps, f.Lengths[b]).ToArray())], f.Labels);
        var task = new SequenceClassificationTask<T>(model, data, null, batchSize: f.Batch, seed: 1);
        model.ZeroGrad();
        var loss = task.TrainingLoss(0, 0, new LayerContext(new SeededRng(1))).Loss;
        double expectedLoss = f.File.Find("loss")!.ToTensor<double>().Span[0];
        CompareScalar(expectedLoss, double.CreateTruncating(loss.Value.Span[0]), tol, $"{name} ({typeof(T).Name}): training loss");
        loss.Backward();
        foreach (string p in parameterNames)
        {
            var grad = model.Parameter(p).Grad ?? Tensor<T>.Zeros(model.Parameter(p).Value.ShapeArray());
            Compare(f.Read<T>("grad." + p), grad, tol, $"{name} ({typeof(T).Name}): ∂L/∂{p}");
        }

        // Evaluation mode, no graph: the task's reported loss is the same mean cross-entropy.
        model.Eval();
        using (new NoGradScope())
            CompareScalar(expectedLoss, task.Score(data, null)["loss"], tol, $"{name} ({typeof(T).Name}): evaluation loss");
    }

    // TensorAssert names the first failing index with both values; the largest gaps are logged.
    private void Compare<T>(Tensor<T> expected, Tensor<T> actual, double tol, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        output.WriteLine(TensorAssert.AllCloseGaps(expected, actual, tol, tol, what));

    private void CompareScalar(double expected, double actual, double tol, string what)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: |Δ| = {Math.Abs(actual - expected):G3}"));
        Assert.True(Math.Abs(actual - expected) <= tol + tol * Math.Abs(expected),
            string.Create(CultureInfo.InvariantCulture, $"{what}: expected {expected:R}, actual {actual:R} (|Δ| = {Math.Abs(actual - expected):G3}, tolerance {tol:G3})."));
    }

    /// <summary>One fixture file: its settings (from <c>__metadata__</c>), the batch and the stored tensors.</summary>
    private sealed record Fixture(string Name, SafeTensorsFile File, RecurrentClassifierOptions Options, int Layers, int Vocabulary, int Classes,
        int[] Ids, int[] Lengths, int[] Labels, int Batch, int Steps)
    {
        public static Fixture Load(string name)
        {
            var file = SafeTensorsFile.Read(RepoPaths.Fixture("classification", name + ".safetensors"));
            var m = file.Metadata;
            int Int(string key) => int.Parse(m[key], CultureInfo.InvariantCulture);
            var options = new RecurrentClassifierOptions(
                Cell: m["cell"] switch { "lstm" => RecurrentCell.Lstm, "gru" => RecurrentCell.Gru, var c => throw new FormatException($"{name}: cell '{c}'") },
                Embedding: Int("embedding"), Hidden: Int("hidden"), Bidirectional: bool.Parse(m["bidirectional"]),
                Pooling: m["pooling"] switch { "max" => SequencePooling.Max, "mean" => SequencePooling.Mean, "last" => SequencePooling.Last, var p => throw new FormatException($"{name}: pooling '{p}'") },
                Dropout: 0, EmbeddingDropout: 0, WordDropout: 0, EmbeddingStd: 1);
            var ids = file.Find("ids")!;
            int[] Ints(string entry) => [.. file.Find(entry)!.ToInt64().Select(v => checked((int)v))];
            return new Fixture(name, file, options, Int("num_layers"), Int("vocabulary"), Int("classes"),
                Ints("ids"), Ints("lengths"), Ints("labels"), ids.Shape[0], ids.Shape[1]);
        }

        /// <summary>A stored F64 tensor as <typeparamref name="T"/> (rounded for float).</summary>
        public Tensor<T> Read<T>(string entry) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            var t = (File.Find(entry) ?? throw new InvalidOperationException($"{Name}: the fixture has no '{entry}'.")).ToTensor<double>();
            var result = Tensor<T>.Zeros(t.ShapeArray());
            for (int i = 0; i < t.Length; i++) result.Span[i] = T.CreateTruncating(t.Span[i]);
            return result;
        }

        /// <summary>
        /// The model <see cref="RecurrentClassifierOptions.Build"/> makes: itself for float and one layer, else rebuilt in
        /// <typeparamref name="T"/> from its layer config (with the case's layer count).
        /// </summary>
        public Sequential<T> Build<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            var built = Options.Build(Vocabulary, Classes);
            if (built is Sequential<T> same && Layers == 1) return same;
            var config = LayerConfig.ToJson(built);
            config["layers"]![2]!["num_layers"] = Layers;
            return (Sequential<T>)LayerConfig.FromJson<T>(config, new SeededRng(1));
        }
    }
}
