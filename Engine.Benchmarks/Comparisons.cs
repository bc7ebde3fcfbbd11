namespace SeqLearn.Benchmarks;

/// <summary>Dispatch for the side-by-side <c>compare</c> commands.</summary>
public static class Comparisons
{
    /// <summary>Runs the comparison named by <c>args[0]</c>.</summary>
    public static int Run(string[] args)
    {
        string which = args.Length > 0 ? args[0] : "";
        switch (which)
        {
            // Each comparison adds its case here.
            case "gemm": return GemmComparison.Run(args[1..]);
            case "ngram": return NGramComparison.Run(args[1..]);
            case "ngram-scaling": return NGramComparison.ScalingOnly(args[1..]);
            case "ngram-table": return NGramComparison.Table(args[1..]);
            case "rnn": return RnnComparison.Run(args[1..]);
            case "sample": return SampleComparison.Run(args[1..]);
            default:
                Console.Error.WriteLine($"compare: unknown comparison '{which}'. Known: gemm, rnn, sample, ngram, ngram-scaling, ngram-table");
                return 2;
        }
    }
}
