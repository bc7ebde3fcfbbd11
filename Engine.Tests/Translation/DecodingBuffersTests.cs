using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

public sealed class DecodingBuffersTests
{
    private static readonly SpecialTokens Specials = new(Pad: 0, Bos: 1, Eos: 2, Unk: 0);

    /// <summary>A stepper that only states its sizes; decoding must refuse it before any step.</summary>
    private sealed class SizeOnlyStepper(int rows, int vocabulary, int sourceSteps) : ITranslationStepper
    {
        public int Rows => rows;
        public int Vocabulary => vocabulary;
        public int SourceSteps => sourceSteps;
        public void Step(ReadOnlySpan<int> previous, Span<double> logProbs, Span<double> attention) => throw new InvalidOperationException("stepped");
        public void Reorder(ReadOnlySpan<int> parents) => throw new InvalidOperationException("reordered");
    }

    [Theory]
    [InlineData(64, 40_000_000, 10, "vocabulary")]    // 2.56·10⁹ values: past int.MaxValue
    [InlineData(4, 1_000_000_000, 10, "vocabulary")]  // 4·10⁹
    [InlineData(64, 100, 40_000_000, "source steps")]
    public void Decoders_RowsTimesWidthPastOneArray_AreRefusedNamingBothSizes(int rows, int vocabulary, int steps, string what)
    {
        var greedy = Assert.Throws<ArgumentException>(() =>
            GreedyDecoder.Decode(new SizeOnlyStepper(rows, vocabulary, steps), Enumerable.Repeat(3, rows).ToArray(), Specials, new DecodingOptions()));
        int width = what == "vocabulary" ? vocabulary : steps;
        Assert.Contains($"GreedyDecoder: {rows} rows × {width} {what}", greedy.Message);

        var options = new DecodingOptions(BeamWidth: 4);
        var beam = Assert.Throws<ArgumentException>(() =>
            BeamSearchDecoder.Decode(new SizeOnlyStepper(rows, vocabulary, steps), Enumerable.Repeat(3, rows / 4).ToArray(), Specials, options));
        Assert.Contains($"BeamSearchDecoder: {rows} rows × {width} {what}", beam.Message);
    }

    [Fact]
    public void Length_WithinOneArray_IsTheProduct()
    {
        Assert.Equal(64 * 30_000, DecodingBuffers.Length("d", 64, 30_000, "vocabulary"));
        Assert.Equal(0, DecodingBuffers.Length("d", 0, 30_000, "vocabulary"));
    }

    [Fact]
    public void Beam_SourcesTimesWidthPastInt_IsRefusedBeforeAnyStep()
    {
        var options = new DecodingOptions(BeamWidth: (1 << 28) + 1);
        var e = Assert.Throws<ArgumentException>(() =>
            BeamSearchDecoder.Decode(new SizeOnlyStepper(16, 4, 2), Enumerable.Repeat(1, 16).ToArray(), Specials, options));
        Assert.Contains("16 sources × beam 268435457", e.Message);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void Decoders_SourceLengthOutsideTheStepper_IsRefusedNamingIt(int length)
    {
        int[] lengths = [2, length];
        var greedy = Assert.Throws<ArgumentException>(() => GreedyDecoder.Decode(new SizeOnlyStepper(2, 4, 2), lengths, Specials, new DecodingOptions()));
        Assert.Contains($"source 1 has length {length}, outside [0, 2]", greedy.Message);
        var beam = Assert.Throws<ArgumentException>(() =>
            BeamSearchDecoder.Decode(new SizeOnlyStepper(4, 4, 2), lengths, Specials, new DecodingOptions(BeamWidth: 2)));
        Assert.Contains($"source 1 has length {length}, outside [0, 2]", beam.Message);
        Assert.Equal("sourceLengths", greedy.ParamName);
        Assert.Equal("sourceLengths", beam.ParamName);
    }

    [Fact]
    public void Decoders_SourcesAndStepperRowsThatDiffer_NameTheParameterAtFault()
    {
        var greedy = Assert.Throws<ArgumentException>(() => GreedyDecoder.Decode(new SizeOnlyStepper(2, 4, 2), [1], Specials, new DecodingOptions()));
        Assert.Equal("sourceLengths", greedy.ParamName);
        var beam = Assert.Throws<ArgumentException>(() => BeamSearchDecoder.Decode(new SizeOnlyStepper(2, 4, 2), [1, 1], Specials, new DecodingOptions(BeamWidth: 2)));
        Assert.Equal("stepper", beam.ParamName);
    }
}
