using System.Text;
using SeqLearn.Tensors;
using Xunit.Sdk;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>The mutation engine is deterministic and does what each kind says; the harness fails on crashes, wrong acceptance and allocation.</summary>
public class MutatorTests
{
    private static readonly byte[] Sample = Encoding.UTF8.GetBytes("ngram 1=12\nalpha\t-0.5 beta\r\n3.25,7\n\"quoted\"\n");

    [Fact]
    public void SameSeedAndIndex_GiveTheSameInput_OtherIndicesDiffer()
    {
        var target = new FuzzTarget
        {
            Reader = "sample", Seeds = [Sample], Parse = c => c, IsFormatError = _ => false,
            NamesLocation = (_, _) => false, CheckAccepted = (_, _) => { },
        };
        var distinct = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            var a = FuzzHarness.Generate(target, 20, i);
            var b = FuzzHarness.Generate(target, 20, i);
            Assert.Equal(a.Bytes, b.Bytes);
            Assert.Equal(a.Mutations, b.Mutations);
            distinct.Add(Convert.ToBase64String(a.Bytes));
        }
        Assert.True(distinct.Count > 180, $"only {distinct.Count} distinct inputs of 200");
        Assert.NotEqual(FuzzHarness.Generate(target, 20, 0).Bytes, FuzzHarness.Generate(target, 21, 0).Bytes);
    }

    [Fact]
    public void EveryKind_ChangesTheInput_AsItsNameSays()
    {
        var rng = new SeededRng(1);
        foreach (var kind in Enum.GetValues<MutationKind>())
            for (int trial = 0; trial < 20; trial++)
            {
                var log = new List<string>();
                byte[] m = Mutator.Apply(kind, Sample, rng, log);
                Assert.False(Sample.AsSpan().SequenceEqual(m), $"{kind} left the input unchanged: {log[0]}");
                Assert.Single(log);
                switch (kind)
                {
                    case MutationKind.Truncate: Assert.True(m.Length < Sample.Length && Sample.AsSpan().StartsWith(m)); break;
                    case MutationKind.InvalidUtf8: Assert.False(System.Text.Unicode.Utf8.IsValid(m)); break;
                    case MutationKind.Empty: Assert.True(m.Length <= 4); break;
                    case MutationKind.DropLine: Assert.Equal(Sample.Count((byte)'\n') - 1, m.Count((byte)'\n')); break;
                    case MutationKind.DuplicateLine: Assert.Equal(Sample.Count((byte)'\n') + 1, m.Count((byte)'\n')); break;
                    case MutationKind.LongLine: Assert.True(m.Length > Sample.Length); break;
                    case MutationKind.HugeNumber or MutationKind.NonFinite:
                    {
                        string value = log[0][(log[0].LastIndexOf("→ '", StringComparison.Ordinal) + 3)..^1];
                        Assert.Contains(value, (kind == MutationKind.HugeNumber ? Mutator.HugeNumbers : Mutator.NonFiniteTokens).ToArray());
                        Assert.Contains(value, Encoding.UTF8.GetString(m));
                        break;
                    }
                }
            }
    }

    private static FuzzTarget Fake(Func<FuzzCase, object> parse, Action<FuzzCase, object>? check = null) => new()
    {
        Reader = "fake",
        Seeds = [Sample],
        Parse = parse,
        IsFormatError = e => e is FormatException,
        NamesLocation = (c, e) => e.Message.StartsWith(c.Path + ":1: ", StringComparison.Ordinal),
        CheckAccepted = check ?? ((_, _) => { }),
        WriteReport = false,
    };

    [Fact]
    public void Harness_FailsOnACrash_WithHowToReproduceIt()
    {
        var target = Fake(c => c.Bytes.Contains((byte)0xFF) ? throw new IndexOutOfRangeException("boom") : c.Bytes.Length == 0 ? throw new FormatException(c.Path + ":1: empty") : c);
        var e = Assert.Throws<FailException>(() => FuzzHarness.Run(target, iterations: 400));
        Assert.Contains("System.IndexOutOfRangeException: boom", e.Message);
        Assert.Matches(@"SEQLEARN_FUZZ_SEED=\d+ SEQLEARN_FUZZ_ONLY=\d+\] seed input 0; ", e.Message);
    }

    [Fact]
    public void Harness_FailsOnAWrongAcceptance_AMessageWithoutPlace_AndOverAllocation()
    {
        var accepted = Fake(c => c.Bytes.Length == 0 ? throw new FormatException(c.Path + ":1: empty") : c,
            (c, _) => { if (c.Bytes.Length < Sample.Length) throw new FuzzInvariantException("shorter than valid"); });
        Assert.Contains("accepted, but FuzzInvariantException: shorter than valid", Assert.Throws<FailException>(() => FuzzHarness.Run(accepted, iterations: 300)).Message);

        var placeless = Fake(c => c.Bytes.Length < Sample.Length ? throw new FormatException("bad input") : c);
        Assert.Contains("whose message does not name the file", Assert.Throws<FailException>(() => FuzzHarness.Run(placeless, iterations: 300)).Message);

        var hog = Fake(c => c.Index % 100 == 7 ? new byte[FuzzHarness.FixedBudgetBytes + FuzzHarness.BudgetPerInputByte * c.Bytes.Length + 1] : c.Bytes.Length == 0 ? throw new FormatException(c.Path + ":1: empty") : c);
        Assert.Matches(@"allocated [\d,]+ bytes for a [\d,]+-byte input \(budget", Assert.Throws<FailException>(() => FuzzHarness.Run(hog, iterations: 300)).Message);
    }

    [Fact]
    public void InvalidUtf8Messages_MustPointAtTheFirstInvalidByte()
    {
        byte[] bytes = [(byte)'a', (byte)'\n', (byte)'b', 0xFF];
        Assert.True(FuzzHarness.PointsAtInvalidUtf8(bytes, "f:2: invalid UTF-8 at byte 2 of the line"));
        Assert.True(FuzzHarness.PointsAtInvalidUtf8(bytes, "f: invalid UTF-8 at byte offset 3 (byte 0xFF)"));
        Assert.False(FuzzHarness.PointsAtInvalidUtf8(bytes, "f:1: invalid UTF-8."));
        Assert.False(FuzzHarness.PointsAtInvalidUtf8("ab"u8.ToArray(), "f:1: invalid UTF-8 at byte 1 of the line"));
        Assert.True(FuzzHarness.PointsAtInvalidUtf8(bytes, "f:2: no tab"));
    }
}
