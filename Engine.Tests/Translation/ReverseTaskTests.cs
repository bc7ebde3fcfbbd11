using System.Diagnostics;
using SeqLearn.Nn;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Training;
using SeqLearn.Translation;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// The synthetic task every attention model must learn in seconds: translate a sequence of 3–8 tokens (ids 4..11) into its
/// reverse. Trained through the shared <see cref="Trainer{T}"/> on a <see cref="TranslationTask{T}"/>; scored by exact match
/// of greedy and beam outputs on held-out sequences.
/// </summary>
public sealed class ReverseTaskTests(ITestOutputHelper output)
{
    internal static readonly SpecialTokens Specials = new(Pad: 0, Bos: 1, Eos: 2, Unk: 3);
    private const int Vocabulary = 12;

    internal static (List<int[]> Sources, List<int[]> Targets) Reverse(int count, ulong seed)
    {
        var rng = new SeededRng(seed);
        var sources = new List<int[]>();
        for (int i = 0; i < count; i++)
            sources.Add(Enumerable.Range(0, 3 + rng.NextInt(6)).Select(_ => 4 + rng.NextInt(Vocabulary - 4)).ToArray());
        return (sources, sources.Select(s => s.Reverse().ToArray()).ToList());
    }

    internal static Seq2Seq<float> Train(AttentionKind attention, int steps, out double seconds, ulong seed = 5)
    {
        var config = new Seq2SeqConfig(Vocabulary, Vocabulary, EmbeddingSize: 16, HiddenSize: 32, Cell: RecurrentCell.Gru,
            Bidirectional: attention != AttentionKind.LuongDot, Attention: attention);
        var model = new Seq2Seq<float>(config, new SeededRng(seed));
        var (src, tgt) = Reverse(2000, 11);
        var (vs, vt) = Reverse(100, 12);
        var task = new TranslationTask<float>(model, src, tgt, vs, vt, Specials, batchSize: 64, seed: 3);
        using var pool = new WorkerPool(2);
        var options = new TrainingOptions { MaxSteps = steps, LearningRate = 0.01, EvalEverySteps = 0, Seed = 9 };
        var clock = Stopwatch.StartNew();
        new Trainer<float>(model, task, options, pool).Train();
        seconds = clock.Elapsed.TotalSeconds;
        return model;
    }

    private static double ExactMatch(IReadOnlyList<int[]> outputs, IReadOnlyList<int[]> references) =>
        outputs.Zip(references).Count(p => p.First.SequenceEqual(p.Second)) / (double)references.Count;

    [Theory]
    [InlineData(AttentionKind.Bahdanau)]
    [InlineData(AttentionKind.LuongGeneral)]
    public void Reverse_AttentionModelLearnsIt_GreedyAndBeamExactMatch(AttentionKind attention)
    {
        int steps = attention == AttentionKind.Bahdanau ? 300 : 400;
        var model = Train(attention, steps, out double seconds);
        var (src, tgt) = Reverse(200, 99);
        using var pool = new WorkerPool(2);
        var greedy = Seq2SeqDecoding.Greedy(model, src, Specials, new DecodingOptions(), pool);
        var beam = Seq2SeqDecoding.Beam(model, src, Specials, new DecodingOptions(BeamWidth: 4), pool);
        double greedyMatch = ExactMatch(greedy.Select(h => h.Tokens).ToList(), tgt);
        double beamMatch = ExactMatch(beam.Select(h => h[0].Tokens).ToList(), tgt);
        output.WriteLine($"{attention}: {steps} steps (batch 64) in {seconds:F1} s; exact match greedy {greedyMatch:P1}, beam 4 {beamMatch:P1}");
        Assert.True(greedyMatch >= 0.9, $"greedy exact match {greedyMatch:P1}");
        Assert.True(beamMatch >= 0.9, $"beam exact match {beamMatch:P1}");
        // Reversal: output token i sits at source position n − 1 − i, so the attention argmax of a learned model points there.
        var h0 = greedy[0];
        if (h0.Tokens.SequenceEqual(tgt[0]))
            Assert.True(h0.AttentionSource.Select((s, i) => s == src[0].Length - 1 - i).Count(x => x) >= h0.Tokens.Length / 2,
                $"attention argmax [{string.Join(",", h0.AttentionSource)}] for a source of {src[0].Length}");
    }
}
