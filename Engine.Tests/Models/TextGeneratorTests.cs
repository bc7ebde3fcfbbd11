using SeqLearn.Generation;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Text;

namespace SeqLearn.Tests.Models;

public class TextGeneratorTests
{
    private static readonly CharVocabulary Chars = CharVocabulary.Build("abcde \n");

    private static LanguageModel<float> Model(int v) => new(new LanguageModelConfig(v, 5, 8, 2), new SeededRng(31));

    [Fact]
    public void Generate_Greedy_IsTheArgmaxChain_AndStreamsDecodedCharacters()
    {
        var model = Model(Chars.Count);
        var generator = new TextGenerator(model, Chars);
        string text = string.Concat(generator.Generate("ab", 12, SamplingOptions.Greedy, new SeededRng(1)));

        var stepper = new LanguageModelStepper(model);
        var state = stepper.InitialState();
        var logits = new float[Chars.Count];
        foreach (int id in Chars.Encode("ab")) state = stepper.Step(id, state, logits);
        var expected = new List<int>();
        for (int i = 0; i < 12; i++)
        {
            expected.Add(Sampler.Greedy(logits));
            state = stepper.Step(expected[^1], state, logits);
        }
        Assert.Equal(Chars.Decode(expected.ToArray()), text);
    }

    [Fact]
    public void Generate_SameSeed_SameText_AndStopsAtTheEndToken()
    {
        var generator = new TextGenerator(Model(Chars.Count), Chars);
        var options = new SamplingOptions(Temperature: 0.8, TopK: 4, TopP: 0.9);
        string a = string.Concat(generator.Generate("", 50, options, new SeededRng(5)));
        string b = string.Concat(generator.Generate("", 50, options, new SeededRng(5)));
        Assert.Equal(a, b);
        Assert.Equal(50, a.EnumerateRunes().Count());
        // The same draws without stopping must produce the end token, so the stopped text is exactly their prefix up to and
        // including the first '\n' (a stop that is ignored, early or late fails here).
        string unstopped = string.Concat(generator.Generate("a", 500, new SamplingOptions(), new SeededRng(6)));
        int end = unstopped.IndexOf('\n');
        Assert.True(end >= 0, "the end token never appeared in 500 samples: the stop is not exercised");
        string line = string.Concat(generator.Generate("a", 500, new SamplingOptions(), new SeededRng(6), stopAtEnd: true));
        Assert.Equal(unstopped[..(end + 1)], line);
    }

    [Fact]
    public void BeamSearch_ReturnsWidthContinuations_BestFirst_WithTheirLogProbabilities()
    {
        var model = Model(Chars.Count);
        var generator = new TextGenerator(model, Chars);
        var results = generator.BeamSearch("ab", maxTokens: 4, width: 3);
        Assert.Equal(3, results.Count);
        Assert.True(results[0].LogProbability >= results[1].LogProbability && results[1].LogProbability >= results[2].LogProbability);
        // log P recomputed token by token with the stepper.
        var stepper = new LanguageModelStepper(model);
        var state = stepper.InitialState();
        var logits = new float[Chars.Count];
        foreach (int id in Chars.Encode("ab")) state = stepper.Step(id, state, logits);
        double logP = 0;
        foreach (int id in results[0].Tokens)
        {
            logP += LanguageModelEvaluator.LogSoftmaxAt(logits, id);
            state = stepper.Step(id, state, logits);
        }
        Assert.Equal(logP, results[0].LogProbability, 1e-6);
        Assert.Equal(Chars.Decode(results[0].Tokens), results[0].Text);
        // Greedy is a width-1 beam.
        Assert.Equal(string.Concat(generator.Generate("ab", 4, SamplingOptions.Greedy, new SeededRng(1))), generator.BeamSearch("ab", 4, 1)[0].Text);
    }

    [Fact]
    public void Words_ArePrimedWithEos_AndDecodedWithSpacesAndNewlines()
    {
        var vocab = WordVocabulary.Build(["the cat sat", "a dog ran"]);
        var generator = new TextGenerator(Model(vocab.Count), vocab);
        Assert.Equal([vocab.EosId, vocab.IdOrUnk("the"), vocab.UnkId], generator.EncodePrompt("the zebra"));
        string text = string.Concat(generator.Generate("the", 30, new SamplingOptions(), new SeededRng(2)));
        Assert.True(text.StartsWith(' ') || text.StartsWith('\n'), text);     // after "the": a space, or the line ends
        Assert.DoesNotContain("  ", text);
        Assert.DoesNotContain("\n ", text);
        Assert.Contains($"the vocabulary has {vocab.Count} symbols, the model V = {vocab.Count + 1}",
            Assert.Throws<ArgumentException>(() => new TextGenerator(Model(vocab.Count + 1), vocab)).Message);
    }

    [Fact]
    public void CheckpointOfAnotherVocabulary_AndAStateOfAnotherBatch_NameTheirParameter()
    {
        var vocab = WordVocabulary.Build(["the cat sat", "a dog ran"]);
        using var dir = new SeqLearn.Tests.Checkpoints.TempDir("lm-vocabulary");
        var e = Assert.Throws<ArgumentException>(() => LanguageModelCheckpoint.Save(dir.Path, Model(vocab.Count + 1), vocab));
        Assert.Equal("vocabulary", e.ParamName);
        Assert.Contains($"the vocabulary has {vocab.Count} symbols, the model V = {vocab.Count + 1}", e.Message);
        var model = Model(vocab.Count);
        Assert.Equal("state", Assert.Throws<ArgumentException>(() => model.Forward([1, 2], 2, 1, model.InitialState(1))).ParamName);
    }

    [Fact]
    public void PromptText_WritesAWordPromptAsThePiecesContinueIt()
    {
        var vocab = WordVocabulary.Build(["the cat sat", "a dog ran"]);
        var generator = new TextGenerator(Model(vocab.Count), vocab);
        // "<eos>" typed in a prompt is the end of a line, after which the next piece starts without a space.
        Assert.Equal("the cat\n", generator.PromptText("the  cat <eos>"));
        Assert.Equal("\nthe zebra", generator.PromptText("<eos> the zebra"));   // unknown words are written as given
        Assert.Equal("", generator.PromptText(""));
        string text = generator.PromptText("the cat <eos>") + string.Concat(generator.Generate("the cat <eos>", 20, new SamplingOptions(), new SeededRng(2)));
        Assert.StartsWith("the cat\n", text);
        Assert.DoesNotContain("<eos>", text);
        Assert.DoesNotContain("\n ", text);
        var chars = new TextGenerator(Model(Chars.Count), Chars);
        Assert.Equal("ab c", chars.PromptText("ab c"));
    }

    /// <summary>
    /// The returned sequence is lazy, so enumerating it again (or twice side by side) must run the generation again from
    /// the prompt: with greedy decoding (no randomness) every pass gives the same text. Advance overwrites the state in
    /// place, so the state must belong to one enumeration, not to the sequence.
    /// </summary>
    [Fact]
    public void Generate_EnumeratedTwice_StartsFromThePromptEachTime()
    {
        var model = new LanguageModel<float>(new LanguageModelConfig(Chars.Count, 16, 64, 2), new SeededRng(31));
        var generator = new TextGenerator(model, Chars);
        var text = generator.Generate("ab", 40, SamplingOptions.Greedy, new SeededRng(1));
        string first = string.Concat(text);
        Assert.Equal(first, string.Concat(text));
        using var a = text.GetEnumerator();
        using var b = text.GetEnumerator();
        string sideBySideA = "", sideBySideB = "";
        while (a.MoveNext() && b.MoveNext()) (sideBySideA, sideBySideB) = (sideBySideA + a.Current, sideBySideB + b.Current);
        Assert.Equal(first, sideBySideA);
        Assert.Equal(first, sideBySideB);
    }

    [Fact]
    public void StopAtEnd_WithoutAnEndTokenInTheVocabulary_IsRefused_NotIgnored()
    {
        var noNewline = CharVocabulary.Build("abcde ");
        var generator = new TextGenerator(Model(noNewline.Count), noNewline);
        Assert.Null(generator.EndId);
        Assert.Equal("stopAtEnd", Assert.Throws<ArgumentException>(() => generator.Generate("ab", 5, SamplingOptions.Greedy, new SeededRng(1), stopAtEnd: true)).ParamName);
        Assert.Equal("stopAtEnd", Assert.Throws<ArgumentException>(() => generator.BeamSearch("ab", 5, 2, stopAtEnd: true)).ParamName);
        Assert.Equal(5, string.Concat(generator.Generate("ab", 5, SamplingOptions.Greedy, new SeededRng(1))).Length);
    }

    /// <summary>An empty prompt for a character model without a newline has nothing to start from: an error naming the prompt.</summary>
    [Fact]
    public void EmptyPrompt_WithoutANewlineInTheVocabulary_NamesThePrompt()
    {
        var noNewline = CharVocabulary.Build("abcde ");
        var generator = new TextGenerator(Model(noNewline.Count), noNewline);
        var e = Assert.Throws<ArgumentException>(() => generator.EncodePrompt(""));
        Assert.Equal("prompt", e.ParamName);
        Assert.Contains("the prompt is empty", e.Message);
        Assert.Equal("prompt", Assert.Throws<ArgumentException>(() => generator.Generate("", 3, SamplingOptions.Greedy, new SeededRng(1))).ParamName);
    }
}
