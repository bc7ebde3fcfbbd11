using System.Globalization;
using System.Text;
using SeqLearn.Text;

namespace SeqLearn.NGrams;

/// <summary>
/// Writes a <see cref="BackoffModel"/> as an ARPA back-off file (log10, as KenLM and SRILM):
/// <c>\data\</c>, <c>ngram k=count</c> lines, one <c>\k-grams:</c> section per order with
/// <c>log10 p ⇥ w1 … wk ⇥ log10 bo</c> (no back-off column at the highest order), then <c>\end\</c>.
/// Floats are printed in their shortest round-trip form, so reading the file back is lossless.
/// The file is written atomically (temporary file in the same folder, flushed, renamed).
/// </summary>
public static class ArpaWriter
{
    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(BackoffModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        TextFile.WriteAtomic(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            Write(model, writer);
        });
    }

    /// <summary>Writes <paramref name="model"/> in ARPA format to <paramref name="writer"/>.</summary>
    public static void Write(BackoffModel model, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("\\data\\\n");
        for (int k = 1; k <= model.Order; k++) writer.Write($"ngram {k}={model.Table(k).Count}\n");
        Span<char> number = stackalloc char[32];
        for (int k = 1; k <= model.Order; k++)
        {
            writer.Write($"\n\\{k}-grams:\n");
            NGramTable table = model.Table(k);
            ReadOnlySpan<float> logProb = model.LogProbs(k);
            ReadOnlySpan<float> logBackoff = k < model.Order ? model.LogBackoffs(k) : default;
            for (int e = 0; e < table.Count; e++)
            {
                WriteFloat(writer, logProb[e], number);
                ReadOnlySpan<int> key = table.Key(e);
                for (int i = 0; i < key.Length; i++)
                {
                    writer.Write(i == 0 ? '\t' : ' ');
                    writer.Write(model.Vocabulary.TokenOf(key[i]));
                }
                if (k < model.Order)
                {
                    writer.Write('\t');
                    WriteFloat(writer, logBackoff[e], number);
                }
                writer.Write('\n');
            }
        }
        writer.Write("\n\\end\\\n");
    }

    private static void WriteFloat(TextWriter writer, float value, Span<char> buffer)
    {
        value.TryFormat(buffer, out int written, "R", CultureInfo.InvariantCulture);
        writer.Write(buffer[..written]);
    }
}
