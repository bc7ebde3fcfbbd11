namespace SeqLearn.Forecasting;

/// <summary>
/// Ordinary least squares b̂ = argmin ‖X b − y‖² by Householder QR of the design matrix X (m, k), m ≥ k: X = Q R,
/// then R b̂ = Qᵀ y by back substitution. Working on X itself (not on XᵀX) keeps the condition number κ(X) rather
/// than κ(X)², which matters for autoregressions whose lagged columns are nearly collinear.
/// </summary>
public static class LeastSquares
{
    /// <summary>Solves for b̂ (length k); <paramref name="x"/> is row-major (m, k) and is not modified.</summary>
    /// <exception cref="RankDeficientException">A column of X is (to 1e-12 of its length) a combination of the columns before it.</exception>
    /// <returns>The coefficients and the residual sum of squares ‖y − X b̂‖².</returns>
    public static (double[] Coefficients, double ResidualSumOfSquares) Solve(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int m, int k)
    {
        if (k < 1 || m < k) throw new ArgumentException($"LeastSquares.Solve: need rows m ≥ columns k ≥ 1 (got m = {m}, k = {k}).", k < 1 ? nameof(k) : nameof(m));
        if (x.Length != (long)m * k || y.Length != m)
            throw new ArgumentException($"LeastSquares.Solve: X has {x.Length} values for ({m}, {k}) and y has {y.Length} for {m} rows.", x.Length != (long)m * k ? nameof(x) : nameof(y));
        double[] a = x.ToArray();   // (m, k), overwritten by R above the diagonal and the reflectors below
        double[] qty = y.ToArray(); // becomes Qᵀ y
        var v = new double[m];
        // ‖X[:, j]‖: |R_jj| is the distance of column j from the span of the columns before it, judged against its own
        // length, so the rank test does not depend on the units of the data.
        var columnNorm = new double[k];
        for (int j = 0; j < k; j++)
        {
            double s = 0;
            for (int i = 0; i < m; i++) s += a[i * k + j] * a[i * k + j];
            columnNorm[j] = Math.Sqrt(s);
        }
        for (int j = 0; j < k; j++)
        {
            // Householder reflector H = I − 2 v vᵀ / vᵀv that zeroes column j below the diagonal.
            double norm = 0;
            for (int i = j; i < m; i++) norm += a[i * k + j] * a[i * k + j];
            norm = Math.Sqrt(norm);
            if (norm == 0) continue;   // nothing to zero: R_jj = 0, which the rank test below reports
            double alpha = a[j * k + j] > 0 ? -norm : norm;
            for (int i = j; i < m; i++) v[i] = a[i * k + j];
            v[j] -= alpha;
            double vv = 0;
            for (int i = j; i < m; i++) vv += v[i] * v[i];
            for (int c = j; c < k; c++) Reflect(a, c, k, v, vv, j, m);
            Reflect(qty, 0, 1, v, vv, j, m);
        }
        for (int j = 0; j < k; j++)   // the first dependent column is the one to report
        {
            double rjj = Math.Abs(a[j * k + j]);
            if (rjj <= 1e-12 * columnNorm[j]) throw new RankDeficientException(j, $"LeastSquares.Solve: X is rank-deficient at column {j} (|R_jj| = {rjj:G3}).");
        }
        var b = new double[k];
        for (int j = k - 1; j >= 0; j--)
        {
            double s = qty[j];
            for (int c = j + 1; c < k; c++) s -= a[j * k + c] * b[c];
            b[j] = s / a[j * k + j];
        }
        double rss = 0;
        for (int i = k; i < m; i++) rss += qty[i] * qty[i];
        return (b, rss);
    }

    /// <summary>Applies H to column <paramref name="col"/> (stride <paramref name="stride"/>) of rows j … m−1: w ← w − 2 v (vᵀw) / vᵀv.</summary>
    private static void Reflect(double[] w, int col, int stride, double[] v, double vv, int j, int m)
    {
        double dot = 0;
        for (int i = j; i < m; i++) dot += v[i] * w[i * stride + col];
        double f = 2 * dot / vv;
        for (int i = j; i < m; i++) w[i * stride + col] -= f * v[i];
    }
}

/// <summary>
/// The design matrix of a least-squares problem has dependent columns, so b̂ is not unique: <see cref="Column"/> is (to
/// 1e-12 of its length) a combination of the columns before it.
/// </summary>
public sealed class RankDeficientException(int column, string message) : ArgumentException(message)
{
    /// <summary>The first column that depends on the ones before it.</summary>
    public int Column { get; } = column;
}
