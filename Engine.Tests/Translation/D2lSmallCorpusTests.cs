using System.Diagnostics;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;
using SeqLearn.Translation;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// d2l's attention chapter, reproduced: a GRU encoder–decoder with Bahdanau attention in d2l's configuration (embedding
/// 256, hidden 256, 2 layers, dropout 0.2, Adam 0.005, gradient clipping at norm 1, batches of 128) trained on the first
/// 641 lines of fra-eng for 300 steps (50 epochs of 6 batches), then asked for the book's example translations, greedily.
/// A model this small trained this briefly is sensitive to rounding: the two longer sentences come out as in the book on
/// every kernel path, while <c>go .</c> (a single corpus line, <c>Go. → Va !</c>) comes out as <c>allez !</c> on the
/// AVX-512 and AVX2 paths with model seeds 7 and 8, and <c>allez le chercher !</c> on the 128-bit path
/// (docs/seq2seq-model.md §6). So the test asks for the two longer ones.
/// </summary>
public sealed class D2lSmallCorpusTests(ITestOutputHelper output)
{
    private const int Lines = 641;
    private const int Steps = 300;

    [Fact]
    public void D2lConfiguration_First641Lines_TranslatesTheBookExamples()
    {
        var pairs = FraEng30k.Pairs.Take(Lines).ToArray();
        var source = TranslationVocabulary.Build(pairs.Select(p => p.Source));
        var target = TranslationVocabulary.Build(pairs.Select(p => p.Target));
        int[][] sources = [.. pairs.Select(p => source.EncodeSentence(p.Source))];
        int[][] targets = [.. pairs.Select(p => target.Encode(p.Target))];
        var config = new Seq2SeqConfig(source.Count, target.Count, EmbeddingSize: 256, HiddenSize: 256, NumLayers: 2, Cell: RecurrentCell.Gru,
            Bidirectional: false, Attention: AttentionKind.Bahdanau, Dropout: 0.2);
        var model = new Seq2Seq<float>(config, new SeededRng(7));
        using var pool = new WorkerPool(2);
        var translator = new Seq2SeqTranslator(model, source, target, new DecodingOptions(BeamWidth: 1), pool);
        var task = new TranslationTask<float>(model, sources, targets, sources[..64], targets[..64], translator.Specials, batchSize: 128, seed: 3);
        var options = new TrainingOptions { MaxSteps = Steps, LearningRate = 0.005, ClipNorm = 1, EvalEverySteps = 0, Seed = 9, BatchSize = 128 };
        var clock = Stopwatch.StartNew();
        new Trainer<float>(model, task, options, pool).Train();
        model.Eval();

        string[] english = ["go .", "i lost .", "i'm home ."];
        string[] expected = ["va !", "j'ai perdu .", "je suis chez moi ."];
        var french = translator.TranslateAll(english);
        for (int i = 0; i < english.Length; i++) output.WriteLine($"{english[i]} => {french[i]}");
        output.WriteLine($"{Steps} steps in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(expected.Skip(1), french.Skip(1));
    }
}
