using ScottPlot;
using SeqLearn.Text;

namespace SeqLearn.Cli.Plots;

/// <summary>Writes a ScottPlot chart as PNG or SVG, chosen by the file's extension, atomically.</summary>
public static class ChartFile
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming <paramref name="option"/> unless <paramref name="path"/> ends in
    /// <c>.png</c> or <c>.svg</c> (any case), and an <see cref="IOException"/> naming it when <paramref name="path"/> exists
    /// and is not a regular file or its folder cannot be written (<see cref="PathCheck.EnsureWritableOutput"/>). Call it
    /// before the work whose result is drawn.
    /// </summary>
    public static void Check(string path, string option)
    {
        string ext = Path.GetExtension(path ?? "").ToLowerInvariant();
        if (ext is not (".png" or ".svg"))
            throw new ArgumentException($"{option} {path}: the file must end in .png or .svg (the format is chosen by the extension).");
        PathCheck.EnsureWritableOutput(path!, option);
    }

    /// <summary>
    /// Renders <paramref name="plot"/> at <paramref name="width"/> × <paramref name="height"/> pixels into <paramref name="path"/>.
    /// ScottPlot refuses axis limits it cannot scale (finite values whose span overflows a double, such as −1e308 and 1e308);
    /// that is an <see cref="ArgumentException"/> naming <paramref name="option"/>, and nothing is written.
    /// </summary>
    public static void Save(Plot plot, string path, string option, int width = 800, int height = 450)
    {
        ArgumentNullException.ThrowIfNull(plot);
        Check(path, option);
        byte[] bytes;
        try
        {
            bytes = Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase)
                ? System.Text.Encoding.UTF8.GetBytes(plot.GetSvgXml(width, height))
                : plot.GetImageBytes(width, height, ImageFormat.Png);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"{option} {path}: the chart cannot be drawn: its values span more than an axis can scale ({e.Message.TrimEnd('.')}).", e);
        }
        TextFile.WriteAtomic(path, stream => stream.Write(bytes));
    }
}
