using SeqLearn.Kernels;

namespace SeqLearn.Benchmarks;

/// <summary>Dispatch for the side-by-side <c>compare</c> commands.</summary>
public static class Comparisons
{
    /// <summary>
    /// Runs the comparison named by <c>args[0]</c>, its baselines at full strength (<see cref="BaselineEnvironment"/>;
    /// <c>--baseline-coretype X</c> forces an OpenBLAS kernel instead).
    /// </summary>
    public static int Run(string[] args)
    {
        BaselineEnvironment baseline;
        try { baseline = BaselineEnvironment.Apply(ref args); }
        catch (ArgumentException e) { Console.Error.WriteLine($"compare: {e.Message}"); return 2; }
        string which = args.Length > 0 ? args[0] : "";
        try { KernelEnvironment.Validate(); }   // a SEQLEARN_ISA this CPU cannot run fails here, not in the middle of a run
        catch (InvalidOperationException e) { Console.Error.WriteLine($"compare {which}: {e.Message}"); return 2; }
        try { return Dispatch(which, args, baseline); }
        catch (CompareOptions.InvalidOption e)
        {
            Console.Error.WriteLine($"compare {which}: {e.Message}");
            return 2;
        }
    }

    private static int Dispatch(string which, string[] args, BaselineEnvironment baseline)
    {
        switch (which)
        {
            // Each comparison adds its case here.
            case "gemm": return GemmComparison.Run(args[1..], baseline);
            case "gemm-layers": return GemmLayerComparison.Run(args[1..], baseline);
            case "gemm-paths": return GemmPathComparison.Run(args[1..]);
            case "ngram": return NGramComparison.Run(args[1..]);
            case "ngram-scaling": return NGramComparison.ScalingOnly(args[1..]);
            case "ngram-table": return NGramComparison.Table(args[1..]);
            case "rnn": return RnnComparison.Run(args[1..], baseline);
            case "sample": return SampleComparison.Run(args[1..], baseline);
            default:
                Console.Error.WriteLine($"compare: unknown comparison '{which}'. Known: gemm, gemm-layers, gemm-paths, rnn, sample, ngram, ngram-scaling, ngram-table");
                return 2;
        }
    }
}
