using SeqLearn.Generation;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Generation;

/// <summary>
/// A first-order Markov chain as a token model: the state is the previous token, the logits are log P(next | prev).
/// Records every token it is fed.
/// </summary>
internal sealed class MarkovChain : ITokenModel<int>
{
    public MarkovChain(double[,] transitions) => P = transitions;

    public double[,] P { get; }

    public List<int> Fed { get; } = [];

    public int VocabularySize => P.GetLength(0);

    public int Step(int token, int state, Span<float> logits)
    {
        Fed.Add(token);
        for (int j = 0; j < VocabularySize; j++) logits[j] = (float)Math.Log(P[token, j]);
        return token;
    }

    /// <summary>A chain with random (seeded) transition rows.</summary>
    public static MarkovChain Random(int v, ulong seed)
    {
        var rng = new SeededRng(seed);
        var p = new double[v, v];
        for (int i = 0; i < v; i++)
        {
            double sum = 0;
            for (int j = 0; j < v; j++) sum += p[i, j] = 0.05 + rng.NextDouble();
            for (int j = 0; j < v; j++) p[i, j] /= sum;
        }
        return new MarkovChain(p);
    }

    /// <summary>log P(tokens | start) under the float logits the model returns (as beam search sees them).</summary>
    public double LogProbability(int start, IReadOnlyList<int> tokens)
    {
        double lp = 0;
        int prev = start;
        foreach (int t in tokens)
        {
            var logits = Enumerable.Range(0, VocabularySize).Select(j => (double)(float)Math.Log(P[prev, j])).ToArray();
            double max = logits.Max();
            double logZ = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            lp += logits[t] - logZ;
            prev = t;
        }
        return lp;
    }
}
