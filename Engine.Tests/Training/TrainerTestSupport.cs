using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Text;
using SeqLearn.Training;

namespace SeqLearn.Tests.Training;

/// <summary>Small real corpora and tiny models for the trainer tests (each test runs in well under a second or two).</summary>
internal static class TrainerTestSupport
{
    private static readonly Lazy<string> Shakespeare = new(() =>
        TextFile.ReadAllText(SharedData.PathOf("data/tinyshakespeare/input.txt"))[..20_000]);

    /// <summary>The first 20,000 characters of tiny-shakespeare, char-encoded and split 90 / 10.</summary>
    public static (CharVocabulary Vocabulary, ReadOnlyMemory<int> Train, ReadOnlyMemory<int> Valid) Corpus(int characters = 20_000)
    {
        string text = Shakespeare.Value[..characters];
        var vocab = CharVocabulary.Build(text);
        var split = CorpusSplit.ByFraction(vocab.Encode(text), 0.9, 0.1);
        return (vocab, split.Train, split.Valid);
    }

    public static LanguageModel<float> Model(int vocabulary, int embedding = 8, int hidden = 16, int layers = 1, double dropout = 0, ulong seed = 7,
        RecurrentCell cell = RecurrentCell.Lstm) =>
        new(new LanguageModelConfig(vocabulary, embedding, hidden, layers, cell, dropout), new SeededRng(seed));

    /// <summary>
    /// Runs a batch whole (<paramref name="whole"/>) and as two micro-batches (<paramref name="part"/> 0, then 1 into a
    /// leaf-gradient set of its own) in float64 and checks that the token counts, the losses (1e-12) and every gradient
    /// element (1e-12) add up (an empty part 1 adds nothing). Leaves the gradients zero. Returns true when part 1's gradient
    /// stayed out of the parameters' own.
    /// </summary>
    public static bool PartsAddUp(Var<double>[] parameters, Func<TaskLoss<double>> whole, Func<int, TaskLoss<double>> part)
    {
        void Zero() { foreach (var p in parameters) p.Grad?.Span.Clear(); }
        var w = whole();
        w.Loss.Backward();
        var expected = parameters.Select(p => p.Grad!.Span.ToArray()).ToArray();
        Zero();
        var first = part(0);
        first.Loss.Backward();
        var set = new LeafGradients<double>();
        TaskLoss<double> second;
        using (set.Enter())
        {
            second = part(1);
            if (second.Loss.RequiresGrad) second.Loss.Backward();   // an empty part is a constant zero
        }
        Assert.Equal(w.Tokens, first.Tokens + second.Tokens);
        Assert.Equal(w.Loss.Value.Span[0], first.Loss.Value.Span[0] + second.Loss.Value.Span[0], 12);
        bool separate = false;
        for (int p = 0; p < parameters.Length; p++)
        {
            var own = parameters[p].Grad!.Span;
            var other = set.Of(parameters[p]) is { } g ? g.Span.ToArray() : new double[own.Length];
            for (int i = 0; i < own.Length; i++)
            {
                Assert.Equal(expected[p][i], own[i] + other[i], 1e-12);
                separate |= Math.Abs(own[i] - expected[p][i]) > 1e-9;
            }
        }
        Zero();
        return separate;
    }

    /// <summary>The losses as raw bit patterns, for bit-exact comparisons with a readable first difference.</summary>
    public static long[] Bits(IEnumerable<double> losses) => losses.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
