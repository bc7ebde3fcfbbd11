using SeqLearn.Checkpoints;
using SeqLearn.NGrams;
using SeqLearn.Text;

namespace SeqLearn.Cli;

/// <summary>Turns expected failures (bad files, bad options, tiny data) into one line on stderr and exit code 1, never a stack trace.</summary>
internal static class CliGuard
{
    public static int Run(Func<int> action) => Run(Console.Error, action);

    /// <summary>Runs <paramref name="action"/>; an expected failure is written to <paramref name="error"/> as <c>error: message</c>.</summary>
    public static int Run(TextWriter error, Func<int> action)
    {
        try { return action(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TextFormatException or ArpaFormatException
                                      or NGramEstimationException or CheckpointFormatException or FormatException or ArgumentException)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
