using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// The fused path (GEMMs + gate kernels + hand-written BPTT) gives the same outputs, final states and gradients
/// (every parameter, the input and the initial state) as the composed path, in float, over configurations drawn
/// from a fixed-seed <see cref="SeededRng"/>. Tolerance: rtol 1e-4, atol 1e-5 (float32 rounding differs between
/// the two orders of summation and the vectorised exp-based σ/tanh). Every configuration runs again with the fused layer
/// forced onto the ARM64 128-bit path (<see cref="KernelPath.Vector128"/>: 6 × 16 GEMM tiles, 128-bit gate kernels; FMA3
/// here), in float and in double (rtol 1e-9, atol 1e-11), so that path is checked end to end on x86.
/// </summary>
public class FusedEqualsComposedTests
{
    public static IEnumerable<object[]> Configs()
    {
        var rng = new SeededRng(2026);
        foreach (var kind in Enum.GetValues<LayerKind>())
            for (int c = 0; c < 4; c++)
            {
                var config = new LayerConfig(kind, B: 1 + rng.NextInt(4), T: 1 + rng.NextInt(6), E: 1 + rng.NextInt(9), H: 1 + rng.NextInt(19),
                    L: 1 + c % 2, Bidirectional: c >= 2, WithLengths: c % 2 == 1 || c == 2, Dropout: c == 3 ? 0.3 : 0);
                yield return [config];
                yield return [config with { Kernels = KernelPath.Vector128 }];
            }
    }

    /// <summary>The configurations on the forced 128-bit path only, with wider hidden sizes (whole 6 × 16 tiles and ragged ones).</summary>
    public static IEnumerable<object[]> Vector128Configs() =>
        Configs().Select(c => (LayerConfig)c[0]).Where(c => c.Kernels is not null)
            .Select((c, i) => new object[] { c with { H = c.H + 16 * (i % 3) } });

    [Theory]
    [MemberData(nameof(Configs))]
    public void Layer_FusedEqualsComposed(LayerConfig config) => FusedEqualsComposed<float>(config, seed: 7, rtol: 1e-4, atol: 1e-5);

    [Theory]
    [MemberData(nameof(Vector128Configs))]
    public void Layer_FusedOnVector128EqualsComposed_Double(LayerConfig config) => FusedEqualsComposed<double>(config, seed: 8, rtol: 1e-9, atol: 1e-11);

    private static void FusedEqualsComposed<T>(LayerConfig config, ulong seed, double rtol, double atol) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var inputs = config.RandomInputs<T>(new SeededRng(seed));
        var (fused, fusedGrads) = RunWithGrads(config, inputs, RecurrentPath.Fused);
        var (composed, composedGrads) = RunWithGrads(config, inputs, RecurrentPath.Composed);
        Assert.Equal(composed.Length, fused.Length);   // a path that drops the cell state (or adds one) is not skipped by the loops
        for (int i = 0; i < fused.Length; i++)
            TensorAssert.AllClose(composed[i], fused[i], rtol, atol, $"{config} output {i}");
        for (int i = 0; i < fusedGrads.Length; i++)
            TensorAssert.AllClose(composedGrads[i], fusedGrads[i], rtol, atol, $"{config} gradient of input {i}");
    }

    private static (Tensor<T>[] Outputs, Tensor<T>[] Grads) RunWithGrads<T>(LayerConfig config, Tensor<T>[] inputs, RecurrentPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var v = inputs.Select(t => new Var<T>(t.Clone(), requiresGrad: true)).ToArray();
        var (y, h, c) = config.Run(v, path);
        var outputs = c is null ? new[] { y.Value, h.Value } : [y.Value, h.Value, c.Value];
        config.Loss(v, path).Backward();
        return (outputs, v.Select(p => p.Grad ?? Tensor<T>.ZerosLike(p.Value)).ToArray());
    }
}
