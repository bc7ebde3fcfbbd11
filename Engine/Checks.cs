namespace SeqLearn;

/// <summary>Argument checks shared across the library, each raising an exception that names the op and the parameter.</summary>
internal static class Checks
{
    /// <summary>
    /// The message of <paramref name="e"/> without .NET's <c> (Parameter 'name')</c> suffix, for an error reported to someone
    /// who never passed that parameter (a file's contents, a command's option).
    /// </summary>
    public static string MessageWithoutParameter(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

    /// <summary>
    /// <paramref name="text"/> as an error message quotes it: its first <paramref name="max"/> characters and "…" when it is
    /// longer (a cell or line of a malformed file may be megabytes long), never cutting a surrogate pair in half.
    /// </summary>
    public static string Excerpt(string text, int max = 60)
    {
        if (text.Length <= max) return text;
        int cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut] + "…";
    }

    /// <summary>A count computed in double precision, rounded down and saturated to [0, <see cref="long.MaxValue"/>] (sizes from options never overflow).</summary>
    public static long Saturate(double count) => count >= long.MaxValue ? long.MaxValue : count <= 0 ? 0 : (long)count;

    /// <summary>
    /// <paramref name="index"/> when it lies in [0, <paramref name="count"/>); otherwise an <see cref="ArgumentOutOfRangeException"/>
    /// "<c>{op}: {what} {index} is outside [0, {count}).</c>" naming <paramref name="paramName"/> (<paramref name="what"/>
    /// defaults to the parameter's name).
    /// </summary>
    public static int Index(int index, int count, string op, string paramName, string? what = null) => (uint)index < (uint)count
        ? index
        : throw new ArgumentOutOfRangeException(paramName, index, $"{op}: {what ?? paramName} {index} is outside [0, {count}).");

    /// <summary>
    /// <paramref name="value"/> when it is a named member of <typeparamref name="TEnum"/>; otherwise an
    /// <see cref="ArgumentOutOfRangeException"/> naming <paramref name="paramName"/> and the members.
    /// </summary>
    public static TEnum Defined<TEnum>(TEnum value, string op, string paramName) where TEnum : struct, Enum => Enum.IsDefined(value)
        ? value
        : throw new ArgumentOutOfRangeException(paramName, value,
            $"{op}: {value} is not a {typeof(TEnum).Name} (one of {string.Join(", ", Enum.GetNames<TEnum>())}).");

    /// <summary>The name of <paramref name="type"/> as written in C#, without the generic arity suffix (<c>Sgd</c>, not <c>Sgd`1</c>).</summary>
    public static string TypeName(Type type)
    {
        string n = type.Name;
        int tick = n.IndexOf('`');
        return tick >= 0 ? n[..tick] : n;
    }
}
