using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Text;

namespace SeqLearn.Tests.Models;

public class LanguageModelCheckpointTests
{
    [Theory]
    [InlineData(RecurrentCell.Lstm, false, "char")]
    [InlineData(RecurrentCell.Gru, true, "word")]
    public void SaveLoad_RoundTrip_SameWeightsVocabularyAndLogits(RecurrentCell cell, bool tied, string kind)
    {
        IVocabulary vocab = kind == "char" ? CharVocabulary.Build("hello world\n") : WordVocabulary.Build(["a b c", "b c d"]);
        var config = new LanguageModelConfig(vocab.Count, 6, 6, 2, cell, Dropout: 0.1, TieWeights: tied);
        var model = new LanguageModel<float>(config, new SeededRng(8));
        using var dir = new TempDir("lmckpt");
        string path = dir.Combine("step-1");
        LanguageModelCheckpoint.Save(path, model, vocab, step: 12, trainerState: new JsonObject { ["epoch"] = 3 });

        var loaded = LanguageModelCheckpoint.Load(path);
        Assert.Equal(config, loaded.Model.Config);
        Assert.Equal(vocab.GetType(), loaded.Vocabulary.GetType());
        Assert.Equal(Enumerable.Range(0, vocab.Count).Select(vocab.TokenOf), Enumerable.Range(0, vocab.Count).Select(loaded.Vocabulary.TokenOf));
        Assert.Equal(12, loaded.Data.Step);
        foreach (var ((name, a), (name2, b)) in model.NamedParameters().Zip(loaded.Model.NamedParameters()))
        {
            Assert.Equal(name, name2);
            Assert.Equal(a.Value.ToArray(), b.Value.ToArray());
        }
        var l1 = new float[vocab.Count];
        var l2 = new float[vocab.Count];
        model.Eval();
        new LanguageModelStepper(model).Step(1, new LanguageModelStepper(model).InitialState(), l1);
        var s = new LanguageModelStepper(loaded.Model);
        s.Step(1, s.InitialState(), l2);
        Assert.Equal(l1, l2);

        // A run folder with best/ and last/ loads best.
        LanguageModelCheckpoint.Save(dir.Combine("run/best"), model, vocab, step: 7);
        LanguageModelCheckpoint.Save(dir.Combine("run/last"), model, vocab, step: 9);
        Assert.Equal(7, LanguageModelCheckpoint.Load(dir.Combine("run")).Data.Step);
    }

    [Fact]
    public void Load_Missing_Corrupt_Or_Incompatible_ClearErrors()
    {
        using var dir = new TempDir("lmckpt-bad");
        Assert.Throws<DirectoryNotFoundException>(() => LanguageModelCheckpoint.Load(dir.Combine("nope")));

        var vocab = CharVocabulary.Build("abc");
        var model = new LanguageModel<float>(new LanguageModelConfig(3, 4, 4, 1), new SeededRng(1));
        string good = dir.Combine("good");
        LanguageModelCheckpoint.Save(good, model, vocab);
        File.WriteAllText(Path.Combine(good, Checkpoint.WeightsFileName), "garbage");
        Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(good));

        // A checkpoint without model_config (e.g. of another model) and one whose config does not fit the weights.
        string other = dir.Combine("other");
        Checkpoint.Save(other, new CheckpointData<float> { Parameters = [new("w", Tensor<float>.Zeros(2))] });
        Assert.Contains("model_config", Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(other)).Message);
        string wrong = dir.Combine("wrong");
        Checkpoint.Save(wrong, new CheckpointData<float>
        {
            Parameters = model.NamedParameters().Select(p => new NamedTensor<float>(p.Key, p.Value.Value)).ToArray(),
            ModelConfig = (model.Config with { HiddenSize = 5 }).ToJson(),
            Vocabulary = LanguageModelCheckpoint.VocabularyToJson(vocab),
        });
        Assert.Contains("do not fit", Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(wrong)).Message);
        Assert.Throws<ArgumentException>(() => LanguageModelCheckpoint.Save(dir.Combine("x"), model, CharVocabulary.Build("ab")));
    }

    [Fact]
    public void Load_WithoutVocabulary_SaysHowToSaveOne()
    {
        using var dir = new TempDir("lmckpt-novocab");
        var model = new LanguageModel<float>(new LanguageModelConfig(3, 4, 4, 1), new SeededRng(1));
        ModelCheckpoint.Save(dir.Path, model);                        // the generic path, without the vocabulary
        var e = Assert.Throws<CheckpointFormatException>(() => LanguageModelCheckpoint.Load(dir.Path));
        Assert.Contains("no vocabulary", e.Message);
        Assert.Contains("LanguageModelCheckpoint.VocabularyToJson(vocabulary)", e.Message);

        ModelCheckpoint.Save(dir.Path, model, LanguageModelCheckpoint.VocabularyToJson(CharVocabulary.Build("abc")));
        Assert.Equal(3, LanguageModelCheckpoint.Load(dir.Path).Vocabulary.Count);
    }

    [Fact]
    public void VocabularyToJson_NullOrAnotherKind_IsNamed()
    {
        Assert.Equal("vocabulary", Assert.Throws<ArgumentNullException>(() => LanguageModelCheckpoint.VocabularyToJson(null!)).ParamName);
        var other = Assert.Throws<ArgumentException>(() => LanguageModelCheckpoint.VocabularyToJson(SeqLearn.Translation.TranslationVocabulary.Build(["a b"])));
        Assert.Equal("vocabulary", other.ParamName);
    }
}
