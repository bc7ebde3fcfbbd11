using SeqLearn.Data;

namespace SeqLearn.Tests.Data;

public class BpttBatcherTests
{
    private static int[] Corpus(int n) => Enumerable.Range(1000, n).ToArray();   // token i is 1000 + position

    [Theory]
    [InlineData(103, 4, 5, LastWindow.Drop)]
    [InlineData(103, 4, 5, LastWindow.Keep)]
    [InlineData(64, 2, 7, LastWindow.Keep)]
    [InlineData(17, 1, 4, LastWindow.Drop)]
    public void Targets_AreInputsShiftedByOne_AcrossWindowBoundaries(int n, int b, int t, LastWindow mode)
    {
        var batcher = new BpttBatcher(Corpus(n), b, t, mode);
        var windows = batcher.Windows().ToArray();
        for (int row = 0; row < b; row++)
        {
            // Concatenate row `row` over all windows: inputs must be a run of the stream, targets the same run + 1.
            var inputs = windows.SelectMany(w => Enumerable.Range(0, w.Steps).Select(s => w.Input(row, s))).ToArray();
            var targets = windows.SelectMany(w => Enumerable.Range(0, w.Steps).Select(s => w.Target(row, s))).ToArray();
            Assert.Equal(inputs.Skip(1), targets.Take(targets.Length - 1));
            for (int i = 0; i < inputs.Length; i++) Assert.Equal(inputs[i] + 1, targets[i]);
        }
    }

    [Fact]
    public void EveryStream_IsContiguousInTheSource()
    {
        int n = 103, b = 4, t = 5;
        var batcher = new BpttBatcher(Corpus(n), b, t);
        Assert.Equal(25, batcher.StreamLength);          // ⌊103 / 4⌋
        Assert.Equal(3, batcher.DroppedTokens);
        foreach (var w in batcher.Windows())
            for (int row = 0; row < b; row++)
                for (int s = 0; s < w.Steps; s++)
                    Assert.Equal(1000 + row * 25 + w.Index * t + s, w.Input(row, s));
    }

    [Fact]
    public void LastPartialWindow_DroppedOrKept()
    {
        // S = 25 per stream → 24 input positions; T = 5 → 4 full windows and 4 positions left over.
        var drop = new BpttBatcher(Corpus(100), 4, 5, LastWindow.Drop);
        var keep = new BpttBatcher(Corpus(100), 4, 5, LastWindow.Keep);
        Assert.Equal(4, drop.WindowCount);
        Assert.All(drop.Windows(), w => Assert.Equal(5, w.Steps));
        Assert.Equal(5, keep.WindowCount);
        Assert.Equal(4, keep.WindowLength(4));
        var last = keep.Window(4);
        Assert.Equal(1000 + 20, last.Input(0, 0));
        Assert.Equal(1000 + 24, last.Target(0, 3));      // the stream's last token is the last target
        // With T dividing S − 1 exactly, both modes agree.
        Assert.Equal(new BpttBatcher(Corpus(84), 4, 5, LastWindow.Keep).WindowCount, new BpttBatcher(Corpus(84), 4, 5).WindowCount);
    }

    [Fact]
    public void KeepLastWindow_StepsNearIntMax_IsOneWindowOfTheWholeStream()
    {
        var keep = new BpttBatcher(Corpus(100), 4, int.MaxValue, LastWindow.Keep);
        Assert.Equal(1, keep.WindowCount);
        Assert.Equal(24, keep.WindowLength(0));
        Assert.Equal(1, new BpttBatcher(Corpus(100), 4, int.MaxValue - 1, LastWindow.Keep).WindowCount);
    }

    [Fact]
    public void CorpusShorterThanOneBatch_NamesBTAndTokenCount()
    {
        var e = Assert.Throws<ArgumentException>(() => new BpttBatcher(Corpus(20), 4, 5));
        Assert.Contains("20 tokens", e.Message);
        Assert.Contains("B = 4", e.Message);
        Assert.Contains("T = 5", e.Message);
        Assert.Contains("24 tokens are needed", e.Message);
        _ = new BpttBatcher(Corpus(24), 4, 5);           // exactly one window fits
        _ = new BpttBatcher(Corpus(20), 4, 5, LastWindow.Keep);
    }

    [Fact]
    public void Fill_WritesIntoCallerBuffers_AndChecksTheirSize()
    {
        var batcher = new BpttBatcher(Corpus(50), 2, 4);
        var inputs = new int[8];
        var targets = new int[8];
        Assert.Equal(4, batcher.Fill(1, inputs, targets));
        Assert.Equal([1004, 1005, 1006, 1007, 1029, 1030, 1031, 1032], inputs);
        Assert.Throws<ArgumentException>(() => batcher.Fill(0, new int[7], targets));
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.Fill(batcher.WindowCount, inputs, targets));
    }

    [Fact]
    public void Fill_StreamRange_IsThoseRowsOfTheWholeWindow()
    {
        var batcher = new BpttBatcher(Corpus(70), 3, 4);
        var (inputs, targets) = (new int[12], new int[12]);
        batcher.Fill(1, inputs, targets);
        var (someInputs, someTargets) = (new int[8], new int[8]);
        Assert.Equal(4, batcher.Fill(1, 1, 2, someInputs, someTargets));   // streams 1 and 2
        Assert.Equal(inputs[4..], someInputs);
        Assert.Equal(targets[4..], someTargets);
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.Fill(1, 2, 2, someInputs, someTargets));
        Assert.Throws<ArgumentException>(() => batcher.Fill(1, 0, 2, new int[7], someTargets));
    }

    [Fact]
    public void CorpusSplit_IsContiguousByFraction()
    {
        var tokens = Corpus(1000);
        var s = CorpusSplit.ByFraction(tokens, 0.9, 0.05);
        Assert.Equal(900, s.Train.Length);
        Assert.Equal(50, s.Valid.Length);
        Assert.Equal(50, s.Test.Length);
        int[] joined = [.. s.Train.ToArray(), .. s.Valid.ToArray(), .. s.Test.ToArray()];
        Assert.Equal(tokens, joined);
        Assert.Throws<ArgumentOutOfRangeException>(() => CorpusSplit.ByFraction(tokens, 0.9, 0.2));
    }

    [Theory]
    [InlineData(90, 0.7, 0.2, 63, 18)]      // 0.7 · 90 = 62.99999999999999 in double; ⌊0.7 · 90⌋ = 63
    [InlineData(100, 0.29, 0.58, 29, 58)]   // 0.29 · 100 = 28.999999999999996, 0.58 · 100 = 57.99999999999999
    [InlineData(10, 0.35, 0.35, 3, 3)]      // 3.5 stays 3: only a product within rounding of an integer moves up
    public void CorpusSplit_FractionTimesCount_IsNotCutShortByRounding(int n, double train, double valid, int trainLength, int validLength)
    {
        var s = CorpusSplit.ByFraction(Corpus(n), train, valid);
        Assert.Equal(trainLength, s.Train.Length);
        Assert.Equal(validLength, s.Valid.Length);
        Assert.Equal(n - trainLength - validLength, s.Test.Length);
    }

    [Fact]
    public void TokenWindow_PositionOutsideTheWindow_ThrowsNamingTheIndex()
    {
        var w = new TokenWindow(0, 2, 3, new int[6], new int[6]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => w.Input(2, 0));
        Assert.Equal("b", e.ParamName);
        Assert.Contains("TokenWindow.Input: stream b 2 is outside [0, 2)", e.Message);
        Assert.Equal("t", Assert.Throws<ArgumentOutOfRangeException>(() => w.Target(0, 3)).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentOutOfRangeException>(() => w.Input(1, -1)).ParamName);
    }

    [Fact]
    public void Constructor_UndefinedLastWindow_Throws() =>
        Assert.Equal("lastWindow", Assert.Throws<ArgumentOutOfRangeException>(() => new BpttBatcher(Corpus(100), 2, 5, (LastWindow)9)).ParamName);
}
