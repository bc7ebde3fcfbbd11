using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Forecasting;

/// <summary>
/// Many-to-one regression over fixed windows as a task of the <see cref="Trainer{T}"/>: window n holds T past steps of
/// F features and the K values that follow; a model that is an <see cref="ISequentialLayer{T}"/> (a
/// <see cref="Sequential{T}"/> such as LSTM → LastStep → Linear, or any module with that one-tensor forward) maps
/// x (B, T, F) to ŷ (B, K):
/// <code>
/// ŷ = model(x)                                  (B, K)
/// L = (1 / B·K) Σ_{b,k} (ŷ_{b,k} − y_{b,k})²     mean squared error
/// </code>
/// Training batches are a seeded shuffle of the windows (<see cref="BatchPlan.Shuffled"/>). Evaluation reports "loss"
/// (the MSE) and "rmse" in the units the windows are given in (scaled units when a scaler was applied).
/// </summary>
public sealed class WindowRegressionTask<T> : ITrainingTask<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly ISequentialLayer<T> _model;
    private readonly WindowSet<T> _train;
    private readonly WindowSet<T>? _valid;
    private readonly int _batchSize;
    private readonly ulong _seed;
    private int _planEpoch = -1;
    private int[][] _plan = [];
    private WindowBatch<T>? _batch;   // the training batch, refilled each step (the graph of one step is done before the next)

    /// <summary>Prepares the task; <paramref name="valid"/> null evaluates on the training windows.</summary>
    public WindowRegressionTask(Module<T> model, WindowSet<T> train, WindowSet<T>? valid, int batchSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not ISequentialLayer<T> layer)
            throw new ArgumentException($"WindowRegressionTask: the model ({Checks.TypeName(model.GetType())}) must map one tensor to one (implement ISequentialLayer<T>).", nameof(model));
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (valid is not null && (valid.Steps != train.Steps || valid.Features != train.Features || valid.Horizon != train.Horizon))
            throw new ArgumentException($"WindowRegressionTask: validation windows (T, F, K) = ({valid.Steps}, {valid.Features}, {valid.Horizon}) differ from training ({train.Steps}, {train.Features}, {train.Horizon}).", nameof(valid));
        (_model, _train, _valid, _batchSize, _seed) = (layer, train, valid, batchSize, seed);
        BatchesPerEpoch = ShapeUtil.CeilDiv(train.Count, batchSize);
        DivergedLoss = DivergenceBound(train.Targets, (valid ?? train).Targets);
    }

    /// <summary>
    /// 100 · max(σ², MSE₀): σ² the variance of the training targets, MSE₀ = mean (y − ȳ)² over the evaluated targets with ȳ
    /// the training mean — the loss of the constant forecast ȳ, the regression counterpart of a uniform guess. A model
    /// whose RMSE is ten times that of the training mean has diverged. Null when every target equals the training mean (no scale).
    /// </summary>
    public double? DivergedLoss { get; }

    private static double? DivergenceBound(T[] train, T[] evaluated)
    {
        if (train.Length == 0 || evaluated.Length == 0) return null;
        double mean = 0, variance = 0, constant = 0;
        foreach (T y in train) mean += double.CreateTruncating(y);
        mean /= train.Length;
        foreach (T y in train) variance += Math.Pow(double.CreateTruncating(y) - mean, 2);
        foreach (T y in evaluated) constant += Math.Pow(double.CreateTruncating(y) - mean, 2);
        double scale = Math.Max(variance / train.Length, constant / evaluated.Length);
        return scale > 0 && double.IsFinite(scale) ? 100 * scale : null;
    }

    /// <inheritdoc/>
    public int BatchesPerEpoch { get; }

    /// <inheritdoc/>
    public JsonObject? ModelConfig { get; init; }

    /// <inheritdoc/>
    public JsonNode? Vocabulary { get; init; }

    /// <inheritdoc/>
    public TaskLoss<T> TrainingLoss(int epoch, int batch, LayerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (epoch != _planEpoch) (_plan, _planEpoch) = (BatchPlan.Shuffled(_train.Count, _batchSize, _seed, epoch), epoch);
        var b = Refill(ref _batch, _train, _plan[batch]);
        var prediction = Predict(b.Inputs, context);
        return new TaskLoss<T>(Ops.MseLoss(prediction, new Var<T>(b.Targets)), (long)b.BatchSize * _train.Steps);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(WorkerPool pool)
    {
        var data = _valid ?? _train;
        var predictions = PredictAll(data, pool);
        double sum = 0;
        var y = data.Targets;
        for (int i = 0; i < y.Length; i++)
        {
            double d = double.CreateTruncating(predictions[i]) - double.CreateTruncating(y[i]);
            sum += d * d;
        }
        double mse = sum / y.Length;
        return new Dictionary<string, double> { ["loss"] = mse, ["rmse"] = Math.Sqrt(mse) };
    }

    /// <summary>ŷ for every window of <paramref name="data"/>, (N·K) row-major (call in evaluation mode, without a graph).</summary>
    public T[] PredictAll(WindowSet<T> data, WorkerPool? pool)
    {
        ArgumentNullException.ThrowIfNull(data);
        var result = new T[data.Count * data.Horizon];
        var context = new LayerContext(Pool: pool);
        WindowBatch<T>? b = null;
        foreach (var rows in BatchPlan.InOrder(data.Count, _batchSize))
        {
            var batch = Refill(ref b, data, rows);
            Predict(batch.Inputs, context).Value.Span.CopyTo(result.AsSpan(rows[0] * data.Horizon));
        }
        return result;
    }

    /// <summary>
    /// <paramref name="buffer"/> refilled with windows <paramref name="rows"/> of <paramref name="data"/>; a new buffer only
    /// when the batch size differs from the last (a shorter last batch).
    /// </summary>
    private static WindowBatch<T> Refill(ref WindowBatch<T>? buffer, WindowSet<T> data, int[] rows)
    {
        if (buffer is null || buffer.BatchSize != rows.Length) return buffer = data.Gather(rows);
        buffer.Fill(data.Inputs, data.Targets, rows);
        return buffer;
    }

    private Var<T> Predict(Tensor<T> inputs, LayerContext context)
    {
        var y = _model.Forward(new Var<T>(inputs), context);
        if (y.Value.Rank != 2 || y.Value.Dim(0) != inputs.Dim(0) || y.Value.Dim(1) != _train.Horizon)
            throw new InvalidOperationException($"WindowRegressionTask: the model must map (B, T, F) to (B, K) = ({inputs.Dim(0)}, {_train.Horizon}), got {y.Value.ShapeString}.");
        return y;
    }

    /// <inheritdoc/>
    /// <remarks>The batch order (batch size, seed, windows) and a fingerprint of the training windows' inputs and targets.</remarks>
    public JsonObject? SaveState() => BatchOrderState.Save(_batchSize, _seed, "windows", _train.Count, TrainData);

    /// <inheritdoc/>
    /// <remarks>A state without <c>train_data</c> (written before it was recorded) is not checked for it.</remarks>
    public void RestoreState(JsonObject? state)
    {
        BatchOrderState.Check<T>(state, _batchSize, _seed, "windows", _train.Count, "windows");
        BatchOrderState.CheckData<T>(state, TrainData);
    }

    private string? _trainData;   // made on first use

    private string TrainData
    {
        get
        {
            if (_trainData is not null) return _trainData;
            var f = new BatchOrderState.Fingerprint();
            f.Add<int>([_train.Steps, _train.Features, _train.Horizon]);
            f.Add<T>(_train.Inputs);
            f.Add<T>(_train.Targets);
            return _trainData = f.ToString();
        }
    }
}

/// <summary>N windows of T steps × F features (inputs, row-major (N, T, F)) with K targets each (row-major (N, K)).</summary>
public sealed class WindowSet<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Wraps the arrays; their lengths must be N·T·F and N·K for one N ≥ 1.</summary>
    public WindowSet(T[] inputs, T[] targets, int steps, int features, int horizon)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (steps < 1 || features < 1 || horizon < 1) throw new ArgumentException($"WindowSet: T, F and K must be ≥ 1, got {steps}, {features}, {horizon}.", steps < 1 ? nameof(steps) : features < 1 ? nameof(features) : nameof(horizon));
        long width = (long)steps * features;
        if (inputs.Length == 0 || inputs.Length % width != 0 || targets.Length != inputs.Length / width * horizon)
            throw new ArgumentException($"WindowSet: {inputs.Length} inputs and {targets.Length} targets do not form N ≥ 1 windows of (T, F) = ({steps}, {features}) with K = {horizon}.", inputs.Length == 0 || inputs.Length % width != 0 ? nameof(inputs) : nameof(targets));
        (Inputs, Targets, Steps, Features, Horizon) = (inputs, targets, steps, features, horizon);
        Count = (int)(inputs.Length / width);
    }

    /// <summary>x (N, T, F) row-major.</summary>
    public T[] Inputs { get; }

    /// <summary>y (N, K) row-major.</summary>
    public T[] Targets { get; }

    /// <summary>T.</summary>
    public int Steps { get; }

    /// <summary>F.</summary>
    public int Features { get; }

    /// <summary>K.</summary>
    public int Horizon { get; }

    /// <summary>N.</summary>
    public int Count { get; }

    /// <summary>The windows <paramref name="rows"/> as one batch.</summary>
    public WindowBatch<T> Gather(ReadOnlySpan<int> rows) => WindowBatch<T>.Gather(Inputs, Targets, Steps, Features, Horizon, rows);
}
