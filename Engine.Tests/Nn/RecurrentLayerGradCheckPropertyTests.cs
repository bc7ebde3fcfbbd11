using FsCheck;
using FsCheck.Fluent;
using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// The recurrent layers' float64 gradient check (central differences, eps 1e-6, atol 1e-5, rtol 1e-3) over generated
/// configurations: every kind, both paths (the fused node and the composed cells), random B, T, E, H, uni- or
/// bidirectional (unidirectional ones of one or two layers), with or without lengths, the fused layer on the default
/// vector path or forced onto the 128-bit one. Every input — x, the initial states and every weight — is checked.
/// </summary>
public sealed class RecurrentLayerGradCheckPropertyTests
{
    private static Arbitrary<(LayerConfig Config, RecurrentPath Path, int Seed)> Configs() =>
        (from kind in Gen.Elements(Enum.GetValues<LayerKind>())
         from path in Gen.Elements(Enum.GetValues<RecurrentPath>())
         from b in Gen.Choose(1, 2)
         from t in Gen.Choose(1, 3)
         from e in Gen.Choose(1, 2)
         from h in Gen.Choose(1, 3)
         from bidirectional in Gen.Elements(false, true)
         from l in Gen.Choose(1, bidirectional ? 1 : 2)
         from lengths in Gen.Elements(false, true)
         from vector128 in Gen.Elements(false, true)
         from seed in Gen.Choose(0, 1_000_000)
         select (new LayerConfig(kind, b, t, e, h, l, bidirectional, lengths) { Kernels = vector128 ? KernelPath.Vector128 : null }, path, seed)).ToArbitrary();

    [Fact]
    public void Layer_PassesGradientCheck_ForGeneratedConfigurations()
    {
        int ran = 0;
        Check.One(FsCheckReplay.Fixed(20261210, 10), Prop.ForAll(Configs(), c =>
        {
            ran++;
            var inputs = c.Config.RandomInputs<double>(new SeededRng((ulong)c.Seed));
            var result = GradientCheck.Check(v => c.Config.Loss(v, c.Path), inputs);
            Assert.True(result.Passed, $"{c.Path} {c.Config}");
        }));
        Assert.Equal(10, ran);   // every generated case ran: a property over nothing cannot pass
    }
}
