using SeqLearn.Classification;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Classification;

/// <summary>
/// The classical baselines on MR (Pang &amp; Lee sentence polarity), 10 stratified folds of seed 1. The expected correct
/// counts per fold are the ones scikit-learn gets on the same folds (scripts/classify_baselines_sklearn.py: MultinomialNB
/// and LinearSVC), identical fold by fold. The mean bands are ±0.5 points around the measured means, which lie within
/// 0.2 points of Wang &amp; Manning's published 10-fold accuracies (MNB-uni 77.9, MNB-bi 79.0, NBSVM-bi 79.4). All ten
/// folds of the three models take about 7 s of CPU (docs/classification.md#measured).
/// </summary>
public class MrBaselineTests
{
    private static readonly Lazy<(LabeledSentences Data, FoldAssignment Folds)> Mr = new(() =>
    {
        var data = SentenceFiles.ReadPolarity(
            SharedData.PathOf("data/sentiment/rt-polarity.pos"), SharedData.PathOf("data/sentiment/rt-polarity.neg"));
        return (data, FoldAssignment.Stratified(data.Labels, data.ClassCount, 10, seed: 1));
    });

    [Theory]
    [InlineData("mnb-uni", 77.4, 78.4, new[] { 833, 827, 823, 842, 820, 830, 828, 842, 851, 804 })]
    [InlineData("mnb-bi", 78.3, 79.3, new[] { 869, 824, 823, 855, 826, 821, 841, 849, 866, 829 })]
    [InlineData("nbsvm-bi", 78.9, 79.9, new[] { 856, 843, 845, 884, 831, 840, 847, 849, 854, 825 })]
    public void TenFold_MatchesScikitLearnPerFold_AndThePublishedMean(string model, double low, double high, int[] correct)
    {
        var (data, folds) = Mr.Value;
        CrossValidationResult result = CrossValidation.Run(data, folds, BaselineClassifiers.TryCreate(model)!);
        int[] measured = result.Folds.Select(f => (int)Math.Round(f.Accuracy * f.TestCount)).ToArray();
        Assert.Equal(correct, measured);
        Assert.InRange(100 * result.MeanAccuracy, low, high);
        Assert.InRange(100 * result.StdAccuracy, 0.8, 2.2);
    }
}
