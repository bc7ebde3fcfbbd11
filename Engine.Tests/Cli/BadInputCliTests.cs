using System.Diagnostics;
using SeqLearn.Cli;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Models;
using SeqLearn.Text;

namespace SeqLearn.Tests.Cli;

/// <summary>
/// Inputs and options that once crashed or allocated gigabytes, run through <see cref="CliApp.Run(string[], TextWriter, TextWriter)"/>:
/// each must exit non-zero at once with exactly one <c>error:</c> line that says what is wrong, and no stack trace.
/// </summary>
public sealed class BadInputCliTests : IDisposable
{
    private readonly TempDir _dir = new("cli-bad");
    private readonly string _corpus;
    private readonly string _small; // the text of CheckpointTensorCheckTests.SmallCheckpoint's vocabulary

    public BadInputCliTests()
    {
        _corpus = _dir.Combine("c.txt");
        File.WriteAllText(_corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat\nthe dog sat on the log\n", 20)));
        _small = _dir.Combine("small.txt");
        File.WriteAllText(_small, string.Concat(Enumerable.Repeat("the cat sat\n", 50)));
        Directory.CreateDirectory(_dir.Combine("folder"));
    }

    public void Dispose() => _dir.Dispose();

    private string Arpa(string name, string header, string more = "")
    {
        string path = _dir.Combine(name);
        File.WriteAllText(path, $"\\data\\\n{header}\n\\1-grams:\n-1 <s>\n-1 </s>\n-1 the\n{more}\n\\end\\\n");
        return path;
    }

    public static TheoryData<string> Cases =>
    [
        "arpa-ngram2-1e9", "arpa-ngram1-maxint", "ngram-order-1e6", "time-budget-1e300", "bptt-maxint", "hidden-20000",
        "ckpt-hidden-20000", "ckpt-layers-100000", "resume-hidden-20000", "ckpt-cell-0", "ckpt-nan", "ckpt-inf",
        "arpa-out-dev-null", "arpa-out-directory", "ngram-corpus-directory", "train-corpus-directory", "eval-arpa-directory",
        "ngram-eval-backoff-above-one", "eval-arpa-backoff-above-one", "ngram-train-mkn-tiny-corpus", "ngram-train-kn-tiny-corpus",
        "ngram-train-mkn-tiny-corpus-fallback-named", "ngram-eval-bos", "eval-arpa-bos", "ngram-eval-sentences-eos",
    ];

    // Every bigram seen twice: n1 = 0, so Kneser-Ney's D = n1 / (n1 + 2 n2) of order 2 is 0, undefined.
    private string Repeated()
    {
        string path = _dir.Combine("repeated.txt");
        File.WriteAllText(path, "a a\na a\n");
        return path;
    }

    // A text with a literal sentence marker on line 2.
    private string Marker(string token)
    {
        string path = _dir.Combine("marker.txt");
        File.WriteAllText(path, $"the cat\nthe {token} cat\n");
        return path;
    }

    // Too few distinct n-grams for modified Kneser-Ney's discounts: the estimator's error names the corpus.
    private string Tiny()
    {
        string path = _dir.Combine("tiny.txt");
        File.WriteAllText(path, "a b\n");
        return path;
    }

    // p(</s> | the) = bo(the) · p(</s>) = 10^37: scored on line 1 of the text, token 2.
    private (string Arpa, string Text) AboveOne()
    {
        string arpa = _dir.Combine("above-one.arpa"), text = _dir.Combine("above-one.txt");
        File.WriteAllText(arpa, "\\data\\\nngram 1=3\nngram 2=1\n\n\\1-grams:\n-1 <s>\n-1 </s>\n-1 the 38\n\n\\2-grams:\n-0.5 <s> the\n\n\\end\\\n");
        File.WriteAllText(text, "the\nthe the\n");
        return (arpa, text);
    }

    private (string[] Args, string Expected) Case(string name) => name switch
    {
        "arpa-ngram2-1e9" => (["ngram", "eval", "--arpa", Arpa("a.arpa", "ngram 1=3\nngram 2=1000000000\n", "\n\\2-grams:\n-0.5 the </s>\n"), "--corpus", _corpus], "declares 1000000000 2-grams"),
        "arpa-ngram1-maxint" => (["ngram", "eval", "--arpa", Arpa("b.arpa", "ngram 1=2147483647\n"), "--corpus", _corpus], "b.arpa:"),
        "ngram-order-1e6" => (["ngram", "train", "--order", "1000000", "--corpus", _corpus, "--arpa", _dir.Combine("o.arpa")], "--order must be in [1, 20]"),
        "time-budget-1e300" => (["train", "--corpus", _corpus, "--time-budget", "1e300"], "--time-budget"),
        "bptt-maxint" => (["train", "--corpus", _corpus, "--batch", "1", "--bptt", "2147483647", "--max-steps", "1"], "tokens per window"),
        "hidden-20000" => (["train", "--corpus", _corpus, "--hidden", "20000", "--layers", "4", "--max-steps", "1"], "GB available"),
        "ckpt-hidden-20000" => (["eval", "--checkpoint", Checkpoint("h", c => c["hidden_size"] = 20000), "--corpus", _corpus], "'hidden_size' is 20000"),
        "ckpt-layers-100000" => (["eval", "--checkpoint", Checkpoint("l", c => c["num_layers"] = 100000), "--corpus", _corpus], "'num_layers' is 100000"),
        "resume-hidden-20000" => (["train", "--corpus", _small, "--resume", Checkpoint("r", c => c["hidden_size"] = 20000), "--max-steps", "1"], "'hidden_size' is 20000"),
        "ckpt-cell-0" => (["eval", "--checkpoint", Checkpoint("c", c => c["cell"] = "0"), "--corpus", _corpus], "unknown cell '0'"),
        "ckpt-nan" => (["eval", "--checkpoint", Checkpoint("n", null, float.NaN), "--corpus", _corpus], "tensor 'decoder.weight' holds a non-finite value"),
        "ckpt-inf" => (["generate", "--checkpoint", Checkpoint("i", null, float.PositiveInfinity), "--prompt", "the"], "tensor 'decoder.weight' holds a non-finite value"),
        "ngram-eval-backoff-above-one" => (["ngram", "eval", "--arpa", AboveOne().Arpa, "--corpus", AboveOne().Text], "above-one.txt: line 1: the model gives '</s>' (token 2) log10 p = 37, a probability above 1"),
        "eval-arpa-backoff-above-one" => (["eval", "--arpa", AboveOne().Arpa, "--corpus", AboveOne().Text], "above-one.txt: line 1: the model gives '</s>' (token 2)"),
        "ngram-train-mkn-tiny-corpus" => (["ngram", "train", "--corpus", Tiny(), "--order", "3", "--arpa", _dir.Combine("tiny.arpa")], "tiny.txt: Modified Kneser-Ney: the discounts of order 1"),
        "ngram-train-mkn-tiny-corpus-fallback-named" => (["ngram", "train", "--corpus", Tiny(), "--order", "3", "--arpa", _dir.Combine("tiny.arpa")], "Add --discount-fallback to use 0.5 1 1.5 (as KenLM's lmplz --discount_fallback)."),
        "ngram-train-kn-tiny-corpus" => (["ngram", "train", "--corpus", Repeated(), "--order", "2", "--smoothing", "kn", "--arpa", _dir.Combine("tiny.arpa")], "Add --discount-fallback to use 0.5."),
        "ngram-eval-bos" => (["ngram", "eval", "--arpa", Arpa("m.arpa", "ngram 1=3\n"), "--corpus", Marker("<s>")], "marker.txt: Line 2: the corpus contains '<s>', which is reserved for sentence boundaries."),
        "eval-arpa-bos" => (["eval", "--arpa", Arpa("m.arpa", "ngram 1=3\n"), "--corpus", Marker("<s>")], "marker.txt: Line 2: the corpus contains '<s>', which is reserved"),
        "ngram-eval-sentences-eos" => (["ngram", "eval", "--sentences", "--arpa", Arpa("m.arpa", "ngram 1=3\n"), "--corpus", Marker("</s>")], "marker.txt: Line 2: the corpus contains '</s>', which is reserved"),
        "arpa-out-dev-null" => (["ngram", "train", "--corpus", _corpus, "--arpa", "/dev/null"], "not a regular file"),
        "arpa-out-directory" => (["ngram", "train", "--corpus", _corpus, "--arpa", _dir.Combine("folder")], "is a directory"),
        "ngram-corpus-directory" => (["ngram", "train", "--corpus", _dir.Combine("folder"), "--arpa", _dir.Combine("d.arpa")], "is a directory"),
        "train-corpus-directory" => (["train", "--corpus", _dir.Combine("folder"), "--max-steps", "1"], "is a directory"),
        "eval-arpa-directory" => (["ngram", "eval", "--arpa", _dir.Combine("folder"), "--corpus", _corpus], "is a directory"),
        _ => throw new ArgumentException(name),
    };

    private string Checkpoint(string name, Action<System.Text.Json.Nodes.JsonObject>? edit, float? poison = null)
    {
        var sub = new TempDir($"cli-bad-{name}");
        _extra.Add(sub);
        return CheckpointTensorCheckTests.SmallCheckpoint(sub, edit, poison);
    }

    private readonly List<TempDir> _extra = [];

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInput_OneErrorLine_NonZeroExit_NoStackTrace_Fast(string name)
    {
        if (name == "arpa-out-dev-null")
        {
            if (!File.Exists("/dev/null")) return; // no device node to protect on this system
            Assert.False(PathCheck.IsRegularFile("/dev/null")); // never run the command below with a broken check
        }
        var (args, expected) = Case(name);
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = Stopwatch.StartNew();
        int code = CliApp.Run(args, output, error);
        var elapsed = clock.Elapsed;
        foreach (var d in _extra) d.Dispose();
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(code != 0, $"{name}: exit 0; stdout: {output}");
        Assert.True(lines.Length == 1, $"{name}: {lines.Length} stderr lines:\n{error}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", error.ToString() + output);
        Assert.DoesNotContain("Exception", lines[0]);
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"{name}: took {elapsed.TotalSeconds:F1} s");
    }

    /// <summary>SEQLEARN_ISA is read once per process, so the real CLI runs in a child process with a bad value.</summary>
    [Fact]
    public async Task BadKernelPathVariable_OneErrorLine_BeforeAnyWork()
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(host, [Path.Combine(AppContext.BaseDirectory, "seqlearn.dll"), "train", "--corpus", _corpus, "--max-steps", "3"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["SEQLEARN_ISA"] = "bogus";
        using var process = Process.Start(psi)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000));
        Assert.Equal(1, process.ExitCode);
        Assert.Equal("error: SEQLEARN_ISA=bogus: expected one of avx512, avx2, v128 (or neon), scalar.", (await error).TrimEnd());
        Assert.Empty(output);
    }
}
