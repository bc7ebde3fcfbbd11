using SeqLearn.Classification;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Tests;

/// <summary>The README's Keras-style many-to-one example runs here; <see cref="ReadmeExampleTests"/> checks the README block matches.</summary>
public class ReadmeClassifierExampleTests
{
    [Fact]
    public void ReadmeClassifierExample_ReachesNinetyFivePercentHeldOut()
    {
        // README classifier example begin
        var rng = new SeededRng(seed: 1);
        int[] alphabet = [1, 2, 3, 4, 5, 6, 8, 9];                   // token ids; 0 is padding, 7 is what we look for
        (List<int[]> X, List<int> Y) Data(int n)                      // "does the sequence contain a 7?", lengths 4..20
        {
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
        var (train, valid, test) = (Data(2000), Data(500), Data(500));

        var model = new Sequential<float>(
            new Embedding<float>(10, 16, rng),       // ids (B, T) → (B, T, 16)
            new Lstm<float>(16, 32, rng),            // → (B, T, 32), each row stopped at its length
            new LastStep<float>(),                   // → (B, 32): the last valid step of each row
            new Linear<float>(32, 2, rng));          // → (B, 2) class logits
        model.Fit(train.X, train.Y, valid.X, valid.Y, new TrainingOptions { Epochs = 6, BatchSize = 32, LearningRate = 0.01 });
        double accuracy = model.Evaluate(test.X, test.Y)["accuracy"];
        Console.WriteLine($"held-out accuracy {accuracy:P1}");
        // README classifier example end

        Assert.True(accuracy >= 0.95, $"held-out accuracy {accuracy:P1} is below 95 %.");
    }
}
