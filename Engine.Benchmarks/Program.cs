using BenchmarkDotNet.Running;

namespace SeqLearn.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project Engine.Benchmarks -- compare gemm|rnn|...</c> runs a side-by-side
/// comparison; anything else is handed to BenchmarkDotNet's switcher (e.g. <c>--filter *Gemm*</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length >= 1 && args[0] == "compare")
            return Comparisons.Run(args.Skip(1).ToArray());
        if (args.Length >= 1 && args[0] == "loop")
            return RnnLoop.Run(args[1..]);
        if (args is ["experiment", "vanishing"])
            return VanishingExperiment.Run();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
