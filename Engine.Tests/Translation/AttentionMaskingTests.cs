using SeqLearn.Autograd;
using SeqLearn.Tensors;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// Attention over a padded memory: padded source steps get weight exactly 0, and a row's context and weights equal
/// those of the same row alone with only its valid steps, whatever the padding holds.
/// </summary>
public sealed class AttentionMaskingTests
{
    public static TheoryData<string> Kinds() => new() { "bahdanau", "dot", "general" };

    private static Attention<double> Make(string kind, SeededRng rng) => kind switch
    {
        "bahdanau" => new BahdanauAttention<double>(4, 4, 3, rng),
        "dot" => new LuongAttention<double>(4, 4, general: false, rng),
        _ => new LuongAttention<double>(4, 4, general: true, rng),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void PaddedMemory_GetsZeroWeight_AndEachRowMatchesItselfAlone(string kind)
    {
        var rng = new SeededRng(6);
        var attention = Make(kind, rng);
        int[] lengths = [4, 2, 3];
        var memory = Tensor<double>.Normal([3, 4, 4], 0, 1, rng);
        for (int b = 0; b < 3; b++)                                         // garbage in the padding
            for (int s = lengths[b]; s < 4; s++) memory.Span.Slice((b * 4 + s) * 4, 4).Fill(1e3 * (s + 1));
        var queries = Tensor<double>.Normal([3, 2, 4], 0, 1, rng);
        var m = new Var<double>(memory);
        var (context, alpha) = attention.Attend(new Var<double>(queries), attention.Keys(m), m, lengths);
        for (int b = 0; b < 3; b++)
        {
            int n = lengths[b];
            var alone = new Var<double>(Tensor<double>.FromArray(memory.Span.Slice(b * 16, n * 4).ToArray(), 1, n, 4));
            var q = new Var<double>(Tensor<double>.FromArray(queries.Span.Slice(b * 8, 8).ToArray(), 1, 2, 4));
            var (c1, a1) = attention.Attend(q, attention.Keys(alone), alone, [n]);
            for (int u = 0; u < 2; u++)
            {
                for (int s = 0; s < 4; s++)
                {
                    double w = alpha.Value.Span[(b * 2 + u) * 4 + s];
                    if (s >= n) Assert.Equal(0.0, w);
                    else Assert.Equal(a1.Value.Span[u * n + s], w, 12);
                }
                for (int j = 0; j < 4; j++) Assert.Equal(c1.Value.Span[u * 4 + j], context.Value.Span[(b * 2 + u) * 4 + j], 12);
            }
        }
    }
}
