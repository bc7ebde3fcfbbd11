using SeqLearn.Classification;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace Consumer;

/// <summary>The README's Keras-style classifier: does a token sequence contain a 7?</summary>
public static class ClassifierProgram
{
    public static int Run()
    {
        var rng = new SeededRng(seed: 1);
        var (train, valid, test) = (Data(rng, 2000), Data(rng, 500), Data(rng, 500));

        var model = new Sequential<float>(
            new Embedding<float>(10, 16, rng),
            new Lstm<float>(16, 32, rng),
            new LastStep<float>(),
            new Linear<float>(32, 2, rng));
        model.Fit(train.X, train.Y, valid.X, valid.Y, new TrainingOptions { Epochs = 6, BatchSize = 32, LearningRate = 0.01 });
        double accuracy = model.Evaluate(test.X, test.Y)["accuracy"];
        Console.WriteLine($"classifier: held-out accuracy {accuracy:P1} (needs ≥ 95 %)");
        return accuracy >= 0.95 ? 0 : 1;
    }

    /// <summary>n sequences of ids from {1…6, 8, 9}, lengths 4..20, labelled 1 (and given a 7 somewhere) or 0.</summary>
    public static (List<int[]> X, List<int> Y) Data(SeededRng rng, int n)
    {
        int[] alphabet = [1, 2, 3, 4, 5, 6, 8, 9];
        var (x, y) = (new List<int[]>(), new List<int>());
        for (int i = 0; i < n; i++)
        {
            var seq = Enumerable.Range(0, 4 + rng.NextInt(17)).Select(_ => alphabet[rng.NextInt(8)]).ToArray();
            int label = rng.NextInt(2);
            if (label == 1) seq[rng.NextInt(seq.Length)] = 7;
            x.Add(seq);
            y.Add(label);
        }
        return (x, y);
    }
}
