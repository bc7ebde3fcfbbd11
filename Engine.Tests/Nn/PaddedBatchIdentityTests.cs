using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// The guarantee of padded batches for the recurrent layers: a sequence run alone (B = 1, T = its length) and the same
/// sequence as one row of a padded batch (other rows of other lengths, padding filled with large finite garbage) give
/// bit-identical outputs on its valid steps, final states, loss, and gradients of every parameter and of its input.
/// The batched gradients come from a backward of that row's loss only (the other rows then add exact zeros).
/// Every layer kind, both paths, uni- and bidirectional, 1 and 2 layers, float and double (docs/masking.md).
/// </summary>
public class PaddedBatchIdentityTests
{
    private static readonly int[] Lengths = [7, 3, 5, 1];
    private const int E = 3, H = 5;

    public static IEnumerable<object[]> Configs()
    {
        foreach (var kind in new[] { LayerKind.RnnTanh, LayerKind.Lstm, LayerKind.Gru })
            foreach (var path in new[] { RecurrentPath.Fused, RecurrentPath.Composed })
                foreach (bool bidirectional in new[] { false, true })
                    foreach (int layers in new[] { 1, 2 })
                        foreach (bool pooled in path == RecurrentPath.Fused ? new[] { false, true } : [false])
                            yield return [kind, path, bidirectional, layers, pooled];
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void RowAlone_EqualsRowInPaddedBatch_Float(LayerKind kind, RecurrentPath path, bool bidirectional, int layers, bool pooled) =>
        Check<float>(kind, path, bidirectional, layers, pooled);

    [Theory]
    [MemberData(nameof(Configs))]
    public void RowAlone_EqualsRowInPaddedBatch_Double(LayerKind kind, RecurrentPath path, bool bidirectional, int layers, bool pooled) =>
        Check<double>(kind, path, bidirectional, layers, pooled);

    private static void Check<T>(LayerKind kind, RecurrentPath path, bool bidirectional, int layers, bool pooled)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var options = new RecurrentOptions(layers, bidirectional, Path: path);
        var layer = Build<T>(kind, E, H, new SeededRng(11), options);
        using var pool = pooled ? new WorkerPool(2) : null;
        var batch = PaddedInput<T>(Lengths, Lengths.Max(), E, new SeededRng(12));
        for (int b = 0; b < Lengths.Length; b++)
        {
            string what = $"{kind} {path} D{options.Bidirectional} L{layers} pool {pooled} {typeof(T).Name} row {b} (len {Lengths[b]})";
            var alone = RowRun(layer, RowOf(batch, b, Lengths[b]), null, 0, Lengths[b], pool);
            var padded = RowRun(layer, batch, Lengths, b, Lengths[b], pool);
            AssertSame(alone, padded, what);
        }
    }

    /// <summary>
    /// Hidden sizes 1 and 2 on both paths. Composed: a row alone maps spans of G·H ≤ 8 values through σ and tanh, shorter
    /// than one vector; .NET's vector maps compute such spans with the scalar routines (1 ulp apart from the batch's vector
    /// approximation for some inputs), while Elementwise.Map gives each element the same bits at any span length. Fused RNN
    /// at H = 1: its weight gradients dÂᵀ·X have one row, and the GEMM's dot-product path would split the depth k = B·T
    /// by position across its lanes; a weight gradient never takes that path (Gemm.Compute's depthIsRows).
    /// </summary>
    [Theory]
    [InlineData(LayerKind.RnnTanh, 1)]
    [InlineData(LayerKind.Lstm, 1)]
    [InlineData(LayerKind.Lstm, 2)]
    [InlineData(LayerKind.Gru, 1)]
    [InlineData(LayerKind.Gru, 2)]
    public void SmallHidden_RowAloneEqualsRowInPaddedBatch(LayerKind kind, int hidden)
    {
        foreach (var path in new[] { RecurrentPath.Composed, RecurrentPath.Fused })
        {
            SmallHidden<float>(kind, hidden, path);
            SmallHidden<double>(kind, hidden, path);
        }
    }

    private static void SmallHidden<T>(LayerKind kind, int hidden, RecurrentPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var layer = Build<T>(kind, 1, hidden, new SeededRng(21), new RecurrentOptions(1, Path: path));
        var batch = PaddedInput<T>(Lengths, Lengths.Max(), 1, new SeededRng(22));
        for (int b = 0; b < Lengths.Length; b++)
        {
            var alone = RowRun(layer, RowOf(batch, b, Lengths[b]), null, 0, Lengths[b], null);
            var padded = RowRun(layer, batch, Lengths, b, Lengths[b], null);
            AssertSame(alone, padded, $"{path} {kind} H = {hidden} {typeof(T).Name} row {b}");
        }
    }

    /// <summary>
    /// A batch of 40 rows of up to 12 steps, B·T = 480 &gt; 320, so the fused path's weight gradients ΣdGᵀ·X and
    /// ΣdGᵀ·H (one GEMM over k = B·T) are summed in k slices of 256 (<c>GemmBlocking.KC</c>): each slice's partial sum
    /// is rounded into C before the next. A row whose k range [b·T, b·T + len_b) lies in one slice gets the same
    /// rounding as alone (where k = len_b is one slice); a row that straddles a slice boundary (row 21: [252, 264))
    /// has its ∂L/∂W_ih and ∂L/∂W_hh rounded in two parts, measured up to 12 float ulp (relative 8·10⁻⁷) apart from the
    /// row alone. Everything else (outputs, states, loss, biases, input gradient) stays bit-identical, and the
    /// composed path (per-step GEMMs, k = B) is bit-identical throughout.
    /// </summary>
    [Theory]
    [InlineData(RecurrentPath.Fused)]
    [InlineData(RecurrentPath.Composed)]
    public void LargeBatch_RowsAcrossAGemmSlice_StillBitIdentical(RecurrentPath path)
    {
        // B·T = 480 > KC: one weight-gradient GEMM over all rows would round row 21's steps [252, 264) in two slices; the
        // fused layer multiplies whole-row chunks when lengths are given, so every row matches its run alone.
        const int batch = 40, steps = 12;
        var rng = new SeededRng(3);
        var lengths = Enumerable.Range(0, batch).Select(_ => 1 + rng.NextInt(steps)).ToArray();
        lengths[21] = steps;
        var layer = Build<float>(LayerKind.Lstm, E, H, new SeededRng(11), new RecurrentOptions(Path: path));
        var x = PaddedInput<float>(lengths, steps, E, new SeededRng(12));
        int kc = GemmBlocking.For<float>().KC, straddling = 0;
        for (int b = 0; b < batch; b++)
        {
            if ((b * steps) / kc != (b * steps + lengths[b] - 1) / kc) straddling++;
            var alone = RowRun(layer, RowOf(x, b, lengths[b]), null, 0, lengths[b], null);
            var padded = RowRun(layer, x, lengths, b, lengths[b], null);
            AssertSame(alone, padded, $"{path} row {b}", _ => false);
        }
        Assert.Equal(1, straddling);
    }

    [Theory]
    [InlineData(RecurrentPath.Fused)]
    [InlineData(RecurrentPath.Composed)]
    public void LengthsArrayReusedBetweenForwardAndBackward_GradientsAreThoseOfTheForwardThatRan(RecurrentPath path)
    {
        // The layer takes the lengths at forward: a caller refilling its array before backward changes nothing.
        var x = PaddedInput<double>(Lengths, 7, E, new SeededRng(5));
        double[] Grads(bool refill)
        {
            var layer = Build<double>(LayerKind.Lstm, E, H, new SeededRng(6), new RecurrentOptions(Path: path, Bidirectional: true));
            int[] lengths = [.. Lengths];
            var (y, final) = layer.Forward(new Var<double>(x), lengths: lengths);
            var loss = Ops.Sum(y) + Ops.Sum(final.H);
            if (refill) Array.Fill(lengths, 7);
            loss.Backward();
            return [.. layer.Parameters().SelectMany(p => p.Grad!.ToArray())];
        }
        Assert.Equal(Grads(refill: false), Grads(refill: true));
    }

    /// <summary>Outputs, loss and gradients of one row: what the test compares.</summary>
    internal sealed record RowResult<T>(Tensor<T>[] Values, (string Name, Tensor<T> Grad)[] Grads, Tensor<T> InputGrad) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>
    /// The composed bidirectional LSTM at H = 128 and 256 (E = 33, T = 30, eleven rows): the per-step h·W_hhᵀ has depth
    /// 4H &gt; 320, so its gradient GEMM adds two or more k slices into ∂L/∂h, and the mask nodes of the padded batch change
    /// whether the output's gradient is already there: summed slice by slice, (g + s₁) + s₂ in the batch against
    /// (s₁ + s₂) + g alone would be 1 ulp apart in ∂W_ih, ∂W_hh, the biases and the input gradient of the reverse
    /// direction. <c>MatMul</c>'s backward adds such a product as one term (docs/masking.md §3.3). H = 40 (depth 160, one
    /// slice) is the one-slice case.
    /// </summary>
    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    public void ComposedBidirectionalLstm_WideHidden_RowAloneEqualsRowInPaddedBatch(int hidden)
    {
        int[] lengths = [30, 17, 9, 1, 23, 30, 4, 12, 28, 5, 19];
        var layer = Build<float>(LayerKind.Lstm, 33, hidden, new SeededRng(11), new RecurrentOptions(1, true, Path: RecurrentPath.Composed));
        var x = PaddedInput<float>(lengths, 30, 33, new SeededRng(12));
        foreach (int row in new[] { 1, 2 })
        {
            var alone = RowRun(layer, RowOf(x, row, lengths[row]), null, 0, lengths[row], null);
            var padded = RowRun(layer, x, lengths, row, lengths[row], null);
            AssertSame(alone, padded, $"composed bidirectional LSTM, H = {hidden}, row {row}");
        }
    }

    /// <summary>
    /// Runs the layer on <paramref name="x"/> (B, T, E) and backpropagates the loss of row <paramref name="row"/>:
    /// Σ y_b ⊙ W_y + Σ h_b ⊙ W_h (+ Σ c_b ⊙ W_c) over its first <paramref name="len"/> outputs and its final states,
    /// the W fixed random. Returns y_b, h_b, c_b, the loss, every parameter's gradient and row b's input gradient.
    /// </summary>
    internal static RowResult<T> RowRun<T>(RecurrentLayer<T> layer, Tensor<T> x, int[]? lengths, int row, int len, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        layer.ZeroGrad();
        var xv = new Var<T>(x.Clone(), requiresGrad: true);
        var (y, h, c) = Forward(layer, xv, lengths, pool);
        var yb = Ops.Slice(Ops.Slice(y, 0, row, 1), 1, 0, len);                 // (1, len, D·H)
        var hb = Ops.Slice(h, 1, row, 1);                                       // (L·D, 1, H)
        var cb = c is null ? null : Ops.Slice(c, 1, row, 1);
        var rng = new SeededRng(13);
        Var<T> Weighted(Var<T> a) => Ops.Sum(a * new Var<T>(Tensor<T>.Normal(a.Value.ShapeArray(), T.Zero, T.One, rng)));
        var loss = Weighted(yb) + Weighted(hb);
        if (cb is not null) loss += Weighted(cb);
        loss.Backward();
        var values = new List<Tensor<T>> { yb.Value, hb.Value, loss.Value };
        if (cb is not null) values.Add(cb.Value);
        var grads = layer.NamedParameters().Select(p => (p.Key, p.Value.Grad!.Clone())).ToArray();
        return new RowResult<T>([.. values], grads, RowOf(xv.Grad!, row, len));
    }

    /// <summary>Every value and gradient bit for bit; <paramref name="close"/> names gradients only required to agree to a relative 2·10⁻⁶.</summary>
    internal static void AssertSame<T>(RowResult<T> alone, RowResult<T> padded, string what, Func<string, bool>? close = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string[] names = ["output", "final h", "loss", "final c"];
        for (int i = 0; i < alone.Values.Length; i++)
            TensorAssert.BitEqual<T>(alone.Values[i].Span, padded.Values[i].Span, $"{what}: {names[i]}");
        for (int i = 0; i < alone.Grads.Length; i++)
        {
            var (name, grad) = alone.Grads[i];
            if (close?.Invoke(name) == true)
                TensorAssert.AllClose(grad, padded.Grads[i].Grad, rtol: 2e-6, atol: 0, $"{what}: gradient of {name}");
            else
                TensorAssert.BitEqual<T>(grad.Span, padded.Grads[i].Grad.Span, $"{what}: gradient of {name}");
        }
        TensorAssert.BitEqual<T>(alone.InputGrad.Span, padded.InputGrad.Span, $"{what}: input gradient");
    }

    internal static RecurrentLayer<T> Build<T>(LayerKind kind, int e, int h, SeededRng rng, RecurrentOptions options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => kind switch
        {
            LayerKind.Lstm => new Lstm<T>(e, h, rng, options),
            LayerKind.Gru => new Gru<T>(e, h, rng, options),
            LayerKind.RnnRelu => new Rnn<T>(e, h, rng, options, ActivationFunction.Relu),
            _ => new Rnn<T>(e, h, rng, options),
        };

    private static (Var<T> Y, Var<T> H, Var<T>? C) Forward<T>(RecurrentLayer<T> layer, Var<T> x, int[]? lengths, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (y, final) = layer.Forward(x, lengths: lengths, pool: pool);
        return (y, final.H, final.C);
    }

    /// <summary>x (B, T, F) with N(0, 1) values on each row's valid steps and U(−40, 40) garbage on its padding.</summary>
    internal static Tensor<T> PaddedInput<T>(int[] lengths, int steps, int features, SeededRng rng) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var x = Tensor<T>.Normal([lengths.Length, steps, features], T.Zero, T.One, rng);
        var s = x.Span;
        for (int b = 0; b < lengths.Length; b++)
            for (int i = (b * steps + lengths[b]) * features; i < (b + 1) * steps * features; i++)
                s[i] = T.CreateTruncating(80 * rng.NextDouble() - 40);
        return x;
    }

    /// <summary>x[b, :len, …] as a batch of one, (1, len, …).</summary>
    internal static Tensor<T> RowOf<T>(Tensor<T> x, int b, int len) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int steps = x.Dim(1), inner = x.Length / (x.Dim(0) * steps);
        var shape = x.ShapeArray();
        shape[0] = 1;
        shape[1] = len;
        return Tensor<T>.FromArray(x.Span.Slice(b * steps * inner, len * inner).ToArray(), shape);
    }
}
