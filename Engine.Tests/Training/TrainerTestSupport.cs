using SeqLearn.Data;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Text;

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

    /// <summary>The losses as raw bit patterns, for bit-exact comparisons with a readable first difference.</summary>
    public static long[] Bits(IEnumerable<double> losses) => losses.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
