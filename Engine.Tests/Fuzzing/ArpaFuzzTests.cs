using System.Text;
using System.Text.RegularExpressions;
using SeqLearn.NGrams;
using SeqLearn.Tests.NGrams;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>
/// <see cref="ArpaReader"/> under mutated ARPA files: each input is an <see cref="ArpaFormatException"/> naming the file
/// and line, or a model whose probabilities are finite and at most 1, that writes and reads back unchanged.
/// </summary>
public class ArpaFuzzTests(ITestOutputHelper output)
{
    // Hand-written, tab-separated, with back-offs on some lines only.
    private const string HandWritten =
        "\\data\\\nngram 1=4\nngram 2=2\n\n\\1-grams:\n-1.0\t<unk>\t0\n0\t<s>\t-0.5\n-0.5\t</s>\t0\n-0.3\ta\t-0.2\n\n\\2-grams:\n-0.1\t<s> a\n-0.2\ta </s>\n\n\\end\\\n";

    // Pruned (SRILM style, space-separated): "a b </s>" without its context "a b"; -inf and -99 probabilities.
    private const string Pruned =
        "some preamble text\n\n\\data\\\nngram 1=5\nngram 2=3\nngram 3=2\n\n\\1-grams:\n-99 <s> -0.3\n-0.7 </s>\n-0.6 a -0.2\n-0.9 b -0.1\n-inf c\n\n" +
        "\\2-grams:\n-0.2 <s> a -0.1\n-0.4 a a\n-0.3 b </s>\n\n\\3-grams:\n-0.05 <s> a a\n-0.1 a b </s>\n\n\\end\\\n";

    internal static string Trained()
    {
        var model = new ModifiedKneserNey(MknDiscounts.KenLmFallback).Estimate(NGramCounts.Count(NGramTestCorpus.Random(5, 12, 6, 5), 3));
        var text = new StringWriter { NewLine = "\n" };
        ArpaWriter.Write(model, text);
        return text.ToString();
    }

    internal static FuzzTarget Target() => new()
    {
        Reader = "arpa",
        FileName = "model.arpa",
        Seeds = [Encoding.UTF8.GetBytes(HandWritten), Encoding.UTF8.GetBytes(Pruned), Encoding.UTF8.GetBytes(Trained())],
        Parse = c => ArpaReader.Read(c.Path),
        IsFormatError = e => e is ArpaFormatException,
        NamesLocation = (c, e) => Regex.IsMatch(e.Message, $"^{Regex.Escape(c.Path)}:\\d+: "),
        CheckAccepted = (c, result) => Check((BackoffModel)result),
    };

    [Fact]
    public void MutatedArpaFiles_AreFormatErrorsNamingTheLine_OrValidModels() => FuzzHarness.Run(Target(), output);

    private static void Check(BackoffModel model)
    {
        foreach (string required in new[] { "<s>", "</s>", "<unk>" })
            if (!model.Vocabulary.TryGetId(required, out _)) throw new FuzzInvariantException($"the vocabulary lacks {required}");
        for (int k = 1; k <= model.Order; k++)
        {
            foreach (float p in model.LogProbs(k))
                if (!float.IsFinite(p) || p > 0) throw new FuzzInvariantException($"a {k}-gram has log10 p = {p}");
            foreach (float b in model.LogBackoffs(k))
                if (!float.IsFinite(b)) throw new FuzzInvariantException($"a {k}-gram has log10 back-off {b}");
        }
        var text = new StringWriter { NewLine = "\n" };
        ArpaWriter.Write(model, text);
        var back = ArpaReader.Read(new StringReader(text.ToString()), "rewritten.arpa");
        if (!back.Vocabulary.Tokens.SequenceEqual(model.Vocabulary.Tokens)) throw new FuzzInvariantException("the vocabulary changes when written and read back");
        for (int k = 1; k <= model.Order; k++)
            if (back.Table(k).Count != model.Table(k).Count || !back.LogProbs(k).SequenceEqual(model.LogProbs(k)))
                throw new FuzzInvariantException($"the {k}-grams change when written and read back");
        // Words of the file (the sentence markers are added, never read: a text holding them is refused).
        string sentence = string.Join(' ', model.Vocabulary.Tokens.Where(t => t is not (NGramVocabulary.Bos or NGramVocabulary.Eos)).Take(4)) + " unseen-word";
        double logProb = model.SentenceLog10Prob(sentence);
        // No NaN and no +∞: back-offs may be positive and are not bounded, so a file with a huge back-off can give a
        // sentence a probability above 1 (docs/reliability.md lists this gap); −∞ is probability 0 (a value of −99 in the file).
        if (double.IsNaN(logProb) || double.IsPositiveInfinity(logProb)) throw new FuzzInvariantException($"'{sentence}' scores log10 p = {logProb}");
    }
}
