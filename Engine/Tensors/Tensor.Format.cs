using System.Globalization;
using System.Text;

namespace SeqLearn.Tensors;

public sealed partial class Tensor<T>
{
    /// <summary>
    /// A readable dump for debugging: dtype and shape, then the values (at most 6 per axis, with "..."), or
    /// <c>(released)</c> after <see cref="Release"/>: it never throws, so a debugger or an error message can show any tensor.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor<").Append(typeof(T).Name).Append('>').Append(ShapeString).Append(' ');
        if (_released) return sb.Append("(released)").ToString();
        if (Rank == 0) { sb.Append(Format(Span[0])); return sb.ToString(); }
        AppendAxis(sb, 0, 0, sb.Length);
        return sb.ToString();
    }

    /// <summary>Appends axis <paramref name="axis"/> from element <paramref name="flatStart"/>; a row after the first starts on a new line, <paramref name="indent"/> + axis + 1 columns in, under the first row's bracket.</summary>
    private void AppendAxis(StringBuilder sb, int axis, int flatStart, int indent)
    {
        const int Edge = 3;
        int n = _shape[axis];
        int stride = 1;
        for (int d = axis + 1; d < Rank; d++) stride *= _shape[d];
        sb.Append('[');
        for (int i = 0; i < n; i++)
        {
            if (n > 2 * Edge && i == Edge) { sb.Append("..., "); i = n - Edge; }
            if (axis == Rank - 1) sb.Append(Format(Span[flatStart + i]));
            else AppendAxis(sb, axis + 1, flatStart + i * stride, indent);
            if (i < n - 1) sb.Append(axis == Rank - 1 ? ", " : ",\n" + new string(' ', indent + axis + 1));
        }
        sb.Append(']');
    }

    private static string Format(T v) => double.CreateTruncating(v).ToString("G5", CultureInfo.InvariantCulture);
}
