namespace SeqLearn.Tests.Support;

/// <summary>Asserts that an action throws an ArgumentException of one kind whose ParamName is the expected parameter.</summary>
public static class ArgumentAssert
{
    /// <summary>An <see cref="ArgumentNullException"/> naming <paramref name="param"/>.</summary>
    public static void Null(string param, Action act) => Assert.Equal(param, Assert.Throws<ArgumentNullException>(act).ParamName);

    /// <summary>An <see cref="ArgumentOutOfRangeException"/> naming <paramref name="param"/>.</summary>
    public static void OutOfRange(string param, Action act) => Assert.Equal(param, Assert.Throws<ArgumentOutOfRangeException>(act).ParamName);

    /// <summary>An <see cref="ArgumentException"/> (exactly) naming <paramref name="param"/>; returned for its message.</summary>
    public static ArgumentException Invalid(string param, Action act)
    {
        var e = Assert.Throws<ArgumentException>(act);
        Assert.Equal(param, e.ParamName);
        return e;
    }
}
