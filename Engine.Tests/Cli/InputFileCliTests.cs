using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Cli;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Text;
using static SeqLearn.Tests.Cli.CliRun;

namespace SeqLearn.Tests.Cli;

/// <summary>Bad input files found in review, through the CLI: one <c>error:</c> line naming the file, exit 1, no stack trace.</summary>
public class InputFileCliTests
{
    [Fact]
    public void NGramTrain_CorpusHoldingSentenceMarker_ErrorNamesTheFile()
    {
        using var dir = new TempDir("cli-bos");
        string corpus = dir.Combine("c.txt");
        File.WriteAllText(corpus, "a b\nc <s> d\n");
        AssertOneErrorLine(Run("ngram", "train", "--corpus", corpus, "--arpa", dir.Combine("o.arpa")), corpus);
    }

    [Fact]
    public void NGramEval_CorpusHoldingOnlyAByteOrderMark_IsAnError_NotPerplexityNaN()
    {
        using var dir = new TempDir("cli-bom");
        string arpa = dir.Combine("m.arpa");
        File.WriteAllText(arpa, "\\data\\\nngram 1=3\n\n\\1-grams:\n-1 <s>\n-0.5 </s>\n-0.5 a\n\n\\end\\\n");
        string corpus = dir.Combine("c.txt");
        File.WriteAllBytes(corpus, [0xEF, 0xBB, 0xBF]);
        AssertOneErrorLine(Run("ngram", "eval", "--arpa", arpa, "--corpus", corpus), corpus);
    }

    [Fact]
    public void Eval_CheckpointWithNullVocabularyToken_OneErrorLine_NoStackTrace()
    {
        using var dir = new TempDir("cli-null-token");
        var (path, manifest) = CheckpointInputTests.CheckpointWithANullToken(dir);
        File.WriteAllText(dir.Combine("c.txt"), "the cat\n");
        AssertOneErrorLine(Run("eval", "--checkpoint", path, "--corpus", dir.Combine("c.txt")), manifest);
    }

    [Fact]
    public void Eval_ManifestWithLoneSurrogateKey_OneErrorLine_NoStackTrace()
    {
        using var dir = new TempDir("cli-surrogate");
        var vocab = CharVocabulary.Build("the cat sat\n");
        var model = new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 4, 8, 1), new SeededRng(3));
        string path = dir.Combine("ckpt");
        LanguageModelCheckpoint.Save(path, model, vocab);
        string manifest = Path.Combine(path, Checkpoint.ManifestFileName);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"format\":", "\"\\uD800\": 1, \"format\":"));
        File.WriteAllText(dir.Combine("c.txt"), "the cat\n");
        AssertOneErrorLine(Run("eval", "--checkpoint", path, "--corpus", dir.Combine("c.txt")), manifest);
    }
}
