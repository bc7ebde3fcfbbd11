namespace SeqLearn.Tests.Support;

/// <summary>
/// The test classes that assert an exact byte count other than zero (a difference of two meter readings). They run
/// alone, after the parallel collections: under the full suite's load, garbage collections started by other classes'
/// tests land in the meter's windows, and one CI rehearsal read 248 bytes too many on all three readings of one of them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Allocation measurements";
}
