using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.ConsoleArguments;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SeqLearn.Benchmarks;

namespace SeqLearn.Tests.Benchmarks;

/// <summary>The jobs BenchmarkDotNet runs for Engine.Benchmarks' classes, read without running any.</summary>
public class BenchmarkJobTests
{
    private static readonly Type[] BenchmarkTypes = typeof(RnnBenchmarks).Assembly.GetTypes()
        .Where(t => t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkAttribute), false))).ToArray();

    private static BenchmarkCase[] Cases(Type type, params string[] args)
    {
        var (ok, config, _) = ConfigParser.Parse(args, NullLogger.Instance);
        Assert.True(ok);
        return BenchmarkConverter.TypeToBenchmarks(type, config).BenchmarksCases;
    }

    [Fact]
    public void JobDryRunsOnlyTheDryJobForEveryClass()
    {
        Assert.Contains(typeof(RnnBenchmarks), BenchmarkTypes);
        Assert.Contains(typeof(StepperBenchmarks), BenchmarkTypes);
        foreach (Type type in BenchmarkTypes)
            foreach (BenchmarkCase c in Cases(type, "--job", "dry"))
            {
                Assert.True(c.Job.Run.RunStrategy == RunStrategy.ColdStart && c.Job.Run.IterationCount == 1,
                    $"{type.Name}: --job dry also runs {c.Job.DisplayInfo}");
            }
    }

    [Fact]
    public void ClassJobsStayInProcessWithTheirIterations()
    {
        BenchmarkCase[] rnn = Cases(typeof(RnnBenchmarks));
        Assert.All(rnn, c => Assert.Equal((RunStrategy.Monitoring, 5), (c.Job.Run.RunStrategy, c.Job.Run.IterationCount)));
        Assert.All(Cases(typeof(StepperBenchmarks)), c => Assert.Equal(Job.ShortRun.Run.IterationCount, c.Job.Run.IterationCount));
        foreach (Type type in new[] { typeof(RnnBenchmarks), typeof(StepperBenchmarks) })
        {
            Assert.All(Cases(type), c => Assert.IsType<InProcessEmitToolchain>(c.Job.Infrastructure.Toolchain));
            Assert.All(Cases(type, "--job", "dry"), c => Assert.IsType<InProcessEmitToolchain>(c.Job.Infrastructure.Toolchain));
        }
    }
}
