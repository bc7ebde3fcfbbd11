using SeqLearn.Checkpoints;
using SeqLearn.Classification;
using SeqLearn.Kernels;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Tests.Classification;

public class RecurrentClassifierTests
{
    // "Is there a 'not' before 'good'?": order matters, so a bag of words cannot solve it but a recurrent model can.
    private static LabeledSentences Negations(int n, ulong seed)
    {
        var rng = new SeededRng(seed);
        string[] filler = ["the", "film", "was", "quite", "a", "plot", "and", "acting", "very"];
        var sentences = new List<string[]>();
        var labels = new List<int>();
        for (int i = 0; i < n; i++)
        {
            var words = Enumerable.Range(0, 3 + rng.NextInt(8)).Select(_ => filler[rng.NextInt(filler.Length)]).ToList();
            int label = rng.NextInt(2);
            int at = rng.NextInt(words.Count + 1);
            words.Insert(at, "good");
            words.Insert(label == 1 ? at + 1 : at, "not");   // label 1: "good not" (not after); label 0: "not good"
            sentences.Add([.. words]);
            labels.Add(label);
        }
        return new LabeledSentences(sentences, labels, ["before", "after"]);
    }

    private static RecurrentClassifierFactory Factory(WorkerPool pool) => new(
        new RecurrentClassifierOptions(Embedding: 8, Hidden: 12, Dropout: 0.1),
        RecurrentClassifierOptions.DefaultTraining with { Epochs = 12, BatchSize = 16, LearningRate = 0.01 }, pool);

    [Fact]
    public void Train_OrderDependentTask_LearnsWhatABagOfWordsCannot()
    {
        var data = Negations(600, 3);
        var fold = FoldAssignment.Stratified(data.Labels, 2, 5, 1).Fold(data, 0);
        using var pool = new WorkerPool(2);
        var rnn = Factory(pool).Train(fold);
        var nb = BaselineClassifiers.TryCreate("mnb-bi")!.Train(fold);
        double Accuracy(ISentenceClassifier c) => ClassificationMetrics.Accuracy(fold.Test.Labels.ToArray(), c.Predict(fold.Test.Sentences));
        Assert.True(Accuracy(rnn) >= 0.95, $"rnn test accuracy {Accuracy(rnn):P1}");
        // The unigram counts are identical for both classes; only the bigrams "not good"/"good not" separate them.
        Assert.True(Accuracy(BaselineClassifiers.TryCreate("mnb-uni")!.Train(fold)) < 0.7);
        Assert.True(Accuracy(nb) >= 0.9, "bigrams see the order here");
    }

    [Fact]
    public void Ensemble_WeightIsChosenOnValidation_AndPredictionsAreTheMixture()
    {
        var data = Negations(400, 5);
        var fold = FoldAssignment.Stratified(data.Labels, 2, 5, 1).Fold(data, 1);
        using var pool = new WorkerPool(1);
        var ensemble = new RecurrentNbSvmEnsembleFactory(Factory(pool));
        var model = ensemble.Train(fold);
        double w = Assert.Single(ensemble.Weights);
        Assert.InRange(w, 0, 1);
        var p = model.PredictProbabilities(fold.Test.Sentences);
        Assert.All(p, row => Assert.Equal(1, row[0] + row[1], 12));
        double accuracy = ClassificationMetrics.Accuracy(fold.Test.Labels.ToArray(), model.Predict(fold.Test.Sentences));
        Assert.True(accuracy >= 0.9, $"ensemble test accuracy {accuracy:P1} (w = {w})");
    }

    [Fact]
    public void SeedEnsemble_IsTheMeanOfItsMembers_MemberZeroIsTheSingleModel_AndThreadsOrNoPoolChangeNothing()
    {
        var data = Negations(200, 11);
        var fold = FoldAssignment.Stratified(data.Labels, 2, 5, 1).Fold(data, 0);
        var options = new RecurrentClassifierOptions(Embedding: 6, Hidden: 5, Dropout: 0.1, WordDropout: 0.1, EmbeddingStd: 0.1);
        var training = RecurrentClassifierOptions.DefaultTraining with { Epochs = 2, BatchSize = 16, LearningRate = 0.01 };
        using var one = new WorkerPool(1);
        using var two = new WorkerPool(2);
        var ensemble = new RecurrentEnsembleFactory(options, training, 3, two).Train(fold);
        var again = new RecurrentEnsembleFactory(options, training, 3, one).Train(fold);
        var single = new RecurrentClassifierFactory(options, training, one).Train(fold);
        var sentences = fold.Test.Sentences;
        Assert.Equal(single.PredictProbabilities(sentences), ensemble.Members[0].PredictProbabilities(sentences));
        Assert.NotEqual(ensemble.Members[0].PredictProbabilities(sentences), ensemble.Members[1].PredictProbabilities(sentences));
        var p = ensemble.PredictProbabilities(sentences);
        Assert.Equal(p, again.PredictProbabilities(sentences));
        Assert.Equal(p, new RecurrentEnsembleFactory(options, training, 3).Train(fold).PredictProbabilities(sentences)); // no pool: the calling thread
        var members = ensemble.Members.Select(m => m.PredictProbabilities(sentences)).ToArray();
        for (int i = 0; i < p.Length; i++)
            for (int k = 0; k < 2; k++)
                Assert.Equal((members[0][i][k] + members[1][i][k] + members[2][i][k]) / 3, p[i][k], 15);
    }

    [Fact]
    public void SeedEnsemble_MoreMembersThanACheckpointLoads_IsRefusedAtConstruction()
    {
        var options = new RecurrentClassifierOptions(Embedding: 4, Hidden: 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentEnsembleFactory(options, RecurrentClassifierOptions.DefaultTraining, 1025));
        Assert.Equal("members", e.ParamName);
        Assert.StartsWith("RecurrentEnsembleFactory: members must be in [1, 1024] (the most an ensemble checkpoint holds), got 1025.", e.Message);
        Assert.Equal(1024, new RecurrentEnsembleFactory(options, RecurrentClassifierOptions.DefaultTraining, 1024).Members);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentEnsembleFactory(options, RecurrentClassifierOptions.DefaultTraining, 0));

        var member = new RecurrentSentenceClassifier(options.Build(vocabulary: 5, classes: 2), ["good", "bad", "film"], ["neg", "pos"]);
        var many = Assert.Throws<ArgumentException>(() => new RecurrentEnsembleClassifier(Enumerable.Repeat(member, 1025).ToArray()));
        Assert.StartsWith("RecurrentEnsembleClassifier: 1025 members, more than the 1024 an ensemble checkpoint holds.", many.Message);
        Assert.Equal(1024, new RecurrentEnsembleClassifier(Enumerable.Repeat(member, 1024).ToArray()).Members.Count);
    }

    [Fact]
    public void SeedEnsemble_EachMemberWritesItsOwnMetricsFile()
    {
        Assert.Null(RecurrentEnsembleFactory.MemberMetricsPath(null, 2));
        Assert.Equal(Path.Combine("runs", "cv.member2.jsonl"), RecurrentEnsembleFactory.MemberMetricsPath(Path.Combine("runs", "cv.jsonl"), 2));
        var data = Negations(100, 13);
        var fold = FoldAssignment.Stratified(data.Labels, 2, 5, 1).Fold(data, 0);
        using var dir = new TempDir("ensemble-metrics");
        string path = Path.Combine(dir.Path, "m.jsonl");
        using var pool = new WorkerPool(2);
        new RecurrentEnsembleFactory(new RecurrentClassifierOptions(Embedding: 4, Hidden: 3),
            RecurrentClassifierOptions.DefaultTraining with { Epochs = 2, BatchSize = 16, MetricsPath = path }, 3, pool).Train(fold);
        Assert.False(File.Exists(path));
        for (int m = 0; m < 3; m++)
        {
            var lines = File.ReadAllLines(Path.Combine(dir.Path, $"m.member{m}.jsonl"));
            Assert.Equal(2, lines.Count(l => l.Contains("\"kind\":\"eval\"", StringComparison.Ordinal)));
            Assert.All(lines, l => System.Text.Json.JsonDocument.Parse(l).Dispose());
        }

        // One member writes the named file itself, as a single model would.
        string single = Path.Combine(dir.Path, "one.jsonl");
        new RecurrentEnsembleFactory(new RecurrentClassifierOptions(Embedding: 4, Hidden: 3),
            RecurrentClassifierOptions.DefaultTraining with { Epochs = 2, BatchSize = 16, MetricsPath = single }, 1, pool).Train(fold);
        Assert.Equal(2, File.ReadAllLines(single).Count(l => l.Contains("\"kind\":\"eval\"", StringComparison.Ordinal)));
        Assert.False(File.Exists(Path.Combine(dir.Path, "one.member0.jsonl")));
    }

    [Fact]
    public void SeedEnsemble_SaveLoad_SameProbabilities_AndAOneMemberEnsembleIsAPlainCheckpoint()
    {
        var data = Negations(120, 17);
        var fold = FoldAssignment.Stratified(data.Labels, 2, 5, 1).Fold(data, 1);
        using var pool = new WorkerPool(2);
        var options = new RecurrentClassifierOptions(Embedding: 5, Hidden: 4);
        var training = RecurrentClassifierOptions.DefaultTraining with { Epochs = 2, BatchSize = 16, LearningRate = 0.01 };
        var ensemble = new RecurrentEnsembleFactory(options, training, 2, pool).Train(fold);
        using var dir = new TempDir("ensemble-save");
        ensemble.Save(dir.Combine("two"));
        var loaded = RecurrentEnsembleClassifier.Load(dir.Combine("two"));
        Assert.Equal(ensemble.PredictProbabilities(fold.Test.Sentences), loaded.PredictProbabilities(fold.Test.Sentences));
        Assert.Equal(["before", "after"], loaded.ClassNames);

        var one = new RecurrentEnsembleClassifier([ensemble.Members[0]]);
        one.Save(dir.Combine("one"));
        Assert.False(File.Exists(Path.Combine(dir.Combine("one"), RecurrentEnsembleClassifier.ManifestFileName)));
        Assert.Equal(one.PredictProbabilities(fold.Test.Sentences), RecurrentSentenceClassifier.Load(dir.Combine("one")).PredictProbabilities(fold.Test.Sentences));
        Assert.Single(RecurrentEnsembleClassifier.Load(dir.Combine("one")).Members);

        string manifest = Path.Combine(dir.Combine("two"), RecurrentEnsembleClassifier.ManifestFileName);
        foreach (var (text, why) in new[] { ("{\"type\":\"recurrent_ensemble\",\"members\":0}", "'members'"), ("{\"type\":\"other\",\"members\":2}", "'type'"),
            ("{\"type\":\"recurrent_ensemble\",\"members\":2.5}", "'members'"), ("{\"type\":", "not valid JSON"), ("{\"type\":\"recurrent_ensemble\",\"members\":3}", "member2") })
        {
            File.WriteAllText(manifest, text);
            var e = Assert.Throws<CheckpointFormatException>(() => RecurrentEnsembleClassifier.Load(dir.Combine("two")));
            Assert.StartsWith(manifest, e.Message);
            Assert.Contains(why, e.Message);
        }

        // 400 seeded mutations of a valid manifest: each loads the two members or is a format error naming the manifest.
        byte[] valid = System.Text.Encoding.UTF8.GetBytes("{\"type\":\"recurrent_ensemble\",\"members\":2}");
        var rng = new SeededRng(5);
        int accepted = 0;
        for (int i = 0; i < 400; i++)
        {
            File.WriteAllBytes(manifest, SeqLearn.Tests.Fuzzing.Mutator.Mutate(valid, rng, []));
            try { accepted += RecurrentEnsembleClassifier.Load(dir.Combine("two")).Members.Count == 2 ? 1 : 0; }
            catch (CheckpointFormatException e) { Assert.StartsWith(manifest, e.Message); }
        }
        Assert.InRange(accepted, 1, 399);
    }

    [Fact]
    public void Save_WhileAnotherSaveHoldsTheDirectory_IsRefused_AndEnsembleLoadReadsWhatAStoppedSaveLeft()
    {
        var data = Negations(120, 17);
        var fold = FoldAssignment.Stratified(data.Labels, 2, 5, 1).Fold(data, 1);
        using var pool = new WorkerPool(1);
        var training = RecurrentClassifierOptions.DefaultTraining with { Epochs = 1, BatchSize = 16, LearningRate = 0.01 };
        var first = new RecurrentEnsembleFactory(new RecurrentClassifierOptions(Embedding: 5, Hidden: 4), training, 2, pool).Train(fold);
        var second = new RecurrentEnsembleFactory(new RecurrentClassifierOptions(Embedding: 5, Hidden: 4, Seed: 9), training, 2, pool).Train(fold);
        var sentences = fold.Test.Sentences;
        Assert.NotEqual(first.PredictProbabilities(sentences), second.PredictProbabilities(sentences));
        using var dir = new TempDir("ensemble-lock");
        string target = dir.Combine("e");
        first.Save(target);

        // Another process saving to the same directory holds {dir}.lock: this save is refused and the saved ensemble stays.
        using (CheckpointDirectoryLock.AcquireBeside(target))
        {
            Assert.Contains("is in use by another", Assert.Throws<IOException>(() => second.Save(target)).Message);
            Assert.Contains("is in use by another", Assert.Throws<IOException>(() => second.Members[0].Save(target)).Message);
        }
        Assert.Equal(first.PredictProbabilities(sentences), RecurrentEnsembleClassifier.Load(target).PredictProbabilities(sentences));

        // A save stopped between its two renames leaves {dir}.old (the previous ensemble) and a complete {dir}.tmp (the new one).
        second.Save(dir.Combine("new"));
        Directory.Move(target, target + ".old");
        Directory.Move(dir.Combine("new"), target + ".tmp");
        Assert.Equal(second.PredictProbabilities(sentences), RecurrentEnsembleClassifier.Load(target).PredictProbabilities(sentences));
        Directory.Delete(target + ".tmp", recursive: true);
        Assert.Equal(first.PredictProbabilities(sentences), RecurrentEnsembleClassifier.Load(target).PredictProbabilities(sentences));
        Directory.Delete(target + ".old", recursive: true);
        Assert.Throws<DirectoryNotFoundException>(() => RecurrentEnsembleClassifier.Load(target));
    }

    [Fact]
    public void SaveLoad_SameProbabilitiesBitForBit_AloneAsInABatch()
    {
        var data = Negations(200, 7);
        var fold = FoldAssignment.Stratified(data.Labels, 2, 5, 1).Fold(data, 2);
        using var pool = new WorkerPool(2);
        var factory = new RecurrentClassifierFactory(new RecurrentClassifierOptions(Embedding: 6, Hidden: 5, Dropout: 0.1),
            RecurrentClassifierOptions.DefaultTraining with { Epochs = 2, BatchSize = 16, LearningRate = 0.01 }, pool);
        RecurrentSentenceClassifier trained = factory.Train(fold);
        using var dir = new TempDir("rnn-classifier");
        trained.Save(dir.Path);
        var loaded = RecurrentSentenceClassifier.Load(dir.Path);
        Assert.Equal(["before", "after"], loaded.ClassNames);
        string[][] sentences = [.. fold.Test.Sentences.Take(7), ["never", "seen", "words"], []];
        double[][] expected = trained.PredictProbabilities(sentences);
        Assert.Equal(expected, loaded.PredictProbabilities(sentences));
        for (int i = 0; i < sentences.Length; i++) Assert.Equal(expected[i], loaded.PredictProbabilities([sentences[i]])[0]);
        Assert.Equal(loaded.Encode(["never"]), loaded.Encode([]));            // unknown and empty both read as one <unk>
    }

    [Fact]
    public void Load_CheckpointOfAnotherKind_FormatErrorNamingTheVocabulary()
    {
        using var dir = new TempDir("rnn-classifier-kind");
        var model = new SeqLearn.Nn.Sequential<float>(new SeqLearn.Nn.Embedding<float>(5, 3, new SeededRng(1)), new SeqLearn.Nn.MaskedMaxPool<float>());
        SeqLearn.Models.ModelCheckpoint.Save(dir.Path, model, new System.Text.Json.Nodes.JsonObject { ["type"] = "words" });
        var e = Assert.Throws<SeqLearn.Checkpoints.CheckpointFormatException>(() => RecurrentSentenceClassifier.Load(dir.Path));
        Assert.Contains("not of type 'sentence_classifier'", e.Message);
    }

    [Fact]
    public void MinCount_WordsSeenOnceInTheTrainingPartReadAsUnknown()
    {
        string[][] sentences = [["a", "b", "x"], ["a", "b"], ["a", "y"], ["b", "c"], ["a", "c"], ["b", "c"], ["a", "z"], ["b", "a"], ["a"], ["b"]];
        var data = new LabeledSentences(sentences, [1, 0, 1, 0, 1, 0, 1, 0, 1, 0], ["n", "p"]);
        var fold = FoldAssignment.TrainingSplit(data, 0.2, 3);
        using var pool = new WorkerPool(1);
        var options = new RecurrentClassifierOptions(Embedding: 4, Hidden: 3, MinCount: 2);
        var training = RecurrentClassifierOptions.DefaultTraining with { Epochs = 1, BatchSize = 4 };
        var classifier = new RecurrentClassifierFactory(options, training, pool).Train(fold);
        var counts = fold.Train.Sentences.SelectMany(s => s).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        foreach (string w in new[] { "a", "b", "c", "x", "y", "z" })
        {
            bool known = counts.GetValueOrDefault(w) >= 2;
            Assert.Equal(known, classifier.Encode([w])[0] != RecurrentClassifierFactory.UnknownId);
        }
    }
}
