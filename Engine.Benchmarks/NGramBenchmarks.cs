using BenchmarkDotNet.Attributes;
using SeqLearn.NGrams;
using SeqLearn.Text;

namespace SeqLearn.Benchmarks;

/// <summary>
/// BenchmarkDotNet view of the n-gram hot paths on PTB: building a modified Kneser-Ney 5-gram (count +
/// estimate) and scoring the test set with it (ids, and text including tokenisation). The scoring
/// benchmarks must report 0 B allocated.
/// <c>dotnet run -c Release --project Engine.Benchmarks -- --filter *NGramBenchmarks*</c>
/// </summary>
[MemoryDiagnoser]
public class NGramBenchmarks
{
    private string[] _train = [];
    private string[] _test = [];
    private BackoffModel _model = null!;
    private int[][] _testIds = [];
    private NGramState _state = null!, _start = null!;

    [GlobalSetup]
    public void Setup()
    {
        string ptb = PtbFolder.Find();
        _train = TextFile.ReadLines(Path.Combine(ptb, "ptb.train.txt"));
        _test = TextFile.ReadLines(Path.Combine(ptb, "ptb.test.txt"));
        _model = new ModifiedKneserNey().Estimate(NGramCounts.Count(_train, 5));
        long oovs = 0;
        _testIds = _test.Select(l => _model.Vocabulary.EncodeSentence(l, ref oovs)).ToArray();
        _state = _model.EmptyState();
        _start = _model.BeginSentence();
    }

    /// <summary>Count PTB train (≈930k tokens) up to 5-grams and estimate modified Kneser-Ney.</summary>
    [Benchmark]
    public BackoffModel BuildMkn5() => new ModifiedKneserNey().Estimate(NGramCounts.Count(_train, 5));

    /// <summary>Score the PTB test ids (82,430 tokens) with the 5-gram; tokens/s = 82,430 / time.</summary>
    [Benchmark]
    public double ScoreTestIds()
    {
        double total = 0;
        foreach (int[] s in _testIds)
        {
            _state.CopyFrom(_start);
            for (int i = 1; i < s.Length; i++) total += _model.LogProb10(_state, s[i], _state);
        }
        return total;
    }

    /// <summary>Score the PTB test text (tokenise, look up, score) with the 5-gram.</summary>
    [Benchmark]
    public double ScoreTestText() => _model.Evaluate(_test).TotalLogProb;
}

/// <summary>Locates shared/data/ptb above the benchmark binary.</summary>
internal static class PtbFolder
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "ptb");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/data/ptb not found above the benchmark binary; pass the folder as an argument.");
    }
}
