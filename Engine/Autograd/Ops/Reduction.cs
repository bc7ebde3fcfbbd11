namespace SeqLearn.Autograd;

/// <summary>How a loss combines its per-element (or per-row) terms into one number.</summary>
public enum Reduction
{
    /// <summary>The average of the terms (over non-ignored rows for cross-entropy).</summary>
    Mean,

    /// <summary>The sum of the terms.</summary>
    Sum,
}
