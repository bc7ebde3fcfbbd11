using SeqLearn.Tensors;

namespace SeqLearn.Tests.Tensors;

public class TensorShapeEdgeTests
{
    [Fact]
    public void Rows_CountPastTheEnd_IsRefusedEvenWhenStartPlusCountOverflows()
    {
        var t = Tensor<float>.FromArray([1, 2, 3, 4], 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Rows(100, Array.MaxLength));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Rows(1, int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Rows(int.MaxValue, 1));
    }

    [Fact]
    public void Rows_OfAnEmptyTail_IsAnEmptyView()
    {
        var t = Tensor<float>.FromArray([1, 2, 3, 4, 5, 6], 3, 2);
        var r = t.Rows(3, 0);
        Assert.Equal([0, 2], r.ShapeArray());
        Assert.Equal(0, r.Length);
    }

    [Theory]
    [InlineData(new[] { 65536, 65536, 0 })]
    [InlineData(new[] { 0, 65536, 65536 })]
    [InlineData(new[] { 3, int.MaxValue, int.MaxValue, 0 })]
    public void Zeros_ShapeWithAZeroAxis_IsEmptyWhateverTheOtherAxes(int[] shape)
    {
        var t = Tensor<float>.Zeros(shape);
        Assert.Equal(0, t.Length);
        Assert.Equal(shape, t.ShapeArray());
        Assert.Equal(0, Tensor<float>.FromArray([], shape).Length);
    }

    [Theory]
    [InlineData(new[] { 65536, 65536 })]
    [InlineData(new[] { 2, int.MaxValue })]
    [InlineData(new[] { 46341, 46341 })]
    public void Zeros_MoreElementsThanAnArrayHolds_IsRefused(int[] shape)
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor<float>.Zeros(shape));
        Assert.Contains("more than", e.Message);
    }

    [Fact]
    public void Zeros_NegativeSizeBesideAZeroAxis_IsStillRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor<float>.Zeros(0, -1));
        Assert.Contains("negative", e.Message);
    }

    [Fact]
    public void Reshape_ToAShapeWhoseLongProductWraps_IsRefused()
    {
        // 2^16 · 2^16 · 2^16 · 2^16 = 2^64 wraps a long to 0, the length of the tensor.
        var t = Tensor<float>.Zeros(0);
        var e = Assert.Throws<ArgumentException>(() => t.Reshape(65536, 65536, 65536, 65536));
        Assert.Equal("shape", e.ParamName);
        Assert.Contains("Reshape: cannot reshape (0) (0 elements) into (65536, 65536, 65536, 65536) (more than", e.Message);
        Assert.Equal([0, 65536, 65536, 65536], t.Reshape(-1, 65536, 65536, 65536).ShapeArray()); // as torch.zeros(0).reshape(-1, …)
    }

    [Fact]
    public void ShapeErrors_NameTheFactoryAndTheParameter()
    {
        void Check(Action make, string op, string param)
        {
            var e = Assert.Throws<ArgumentException>(make);
            Assert.Equal(param, e.ParamName);
            Assert.StartsWith(op + ": ", e.Message);
        }
        var rng = new SeededRng(1);
        Check(() => Tensor<float>.Zeros(2, -3), "Zeros", "shape");
        Check(() => Tensor<float>.Ones(2, -3), "Ones", "shape");
        Check(() => Tensor<float>.Full(1f, 65536, 65536), "Full", "shape");
        Check(() => Tensor<float>.Uniform([-1], 0f, 1f, rng), "Tensor.Uniform", "shape");
        Check(() => Tensor<float>.Normal([-1], 0f, 1f, rng), "Tensor.Normal", "shape");
        Check(() => Tensor<float>.FromArray([1f, 2f, 3f], 2, 2), "FromArray", "data");
        var t = Tensor<float>.Zeros(2, 2);
        Check(() => t.Reshape(-1, -1), "Reshape", "shape");
        Check(() => t.Reshape(-2, -2), "Reshape", "shape");
        Check(() => t.Reshape(3), "Reshape", "shape");
        Check(() => t.Reshape(-1, 3), "Reshape", "shape");
        Check(() => _ = t[1], "Indexer", "index");
        Check(() => t[1, 1, 1] = 1f, "Indexer", "index");
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(float.NaN, 1f)]
    [InlineData(0f, float.PositiveInfinity)]
    public void Uniform_BoundsNotFiniteAndOrdered_AreRefused(float low, float high)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor<float>.Uniform([2], low, high, new SeededRng(1)));
        Assert.Contains("need finite low ≤ high", e.Message);
    }

    [Theory]
    [InlineData(0f, -1f, "std")]
    [InlineData(0f, float.NaN, "std")]
    [InlineData(0f, float.PositiveInfinity, "std")]
    [InlineData(float.NaN, 1f, "mean")]
    [InlineData(float.NegativeInfinity, 1f, "mean")]
    public void Normal_NegativeOrNonFiniteParameters_AreRefused(float mean, float std, string param)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor<float>.Normal([2], mean, std, new SeededRng(1)));
        Assert.Equal(param, e.ParamName);
        Assert.Contains("Tensor.Normal", e.Message);
    }

    [Fact]
    public void Normal_ZeroStd_GivesTheMean()
    {
        Assert.Equal([3f, 3f], Tensor<float>.Normal([2], 3f, 0f, new SeededRng(1)).ToArray());
    }

    [Fact]
    public void NullShapeOrIndex_IsArgumentNullException()
    {
        var t = Tensor<float>.Zeros(2, 3);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => Tensor<float>.Zeros(null!)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => Tensor<float>.Ones(null!)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => Tensor<float>.FromArray([1f], null!)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => Tensor<float>.Uniform(null!, 0f, 1f, new SeededRng(1))).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => t.Reshape(null!)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => Tensor<float>.RentZeros((int[])null!)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentNullException>(() => t[null!]).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentNullException>(() => t[null!] = 1f).ParamName);
    }

    [Fact]
    public void ReturnRented_Twice_GivesTheArrayBackOnce()
    {
        // Half tensors are rare, so no other test rents from this pool bucket. Returned twice, the array would sit in the
        // pool twice and the next two rents would both get it.
        int n = Tensor<Half>.RentFromElements + 1;
        var t = Tensor<Half>.RentZeros(n);
        t.ReturnRented();
        t.ReturnRented();
        Assert.Null(t.TakeOwned(Tensor<Half>.Zeros(n)));   // nor can a move after the return hand it back again
        var first = System.Buffers.ArrayPool<Half>.Shared.Rent(n);
        var second = System.Buffers.ArrayPool<Half>.Shared.Rent(n);
        Assert.NotSame(first, second);
    }

    [Fact]
    public void ReturnRented_WhileAViewSharesTheStorage_LeavesTheStorageWithTheView()
    {
        // As Release: the pool must not hand the view's array to the next renter, which zeroes it.
        int n = Tensor<Half>.RentFromElements + 3;
        var t = Tensor<Half>.RentZeros(n);
        var view = t.Reshape(1, n);
        view[0, 0] = Half.One;
        Assert.Null(t.TakeOwned(Tensor<Half>.Zeros(n)));   // a move would let the new owner give it back
        t.ReturnRented();
        var next = Tensor<Half>.RentZeros(n);
        next.Span.Fill(Half.NegativeOne);
        Assert.Equal(Half.One, view[0, 0]);
        next.ReturnRented();
    }

    [Fact]
    public void Indexer_OutOfRange_IsAnArgumentOutOfRangeException()
    {
        var t = Tensor<float>.Zeros(3, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => t[3, 0]);
        Assert.Equal("index", e.ParamName);
        Assert.Contains("Indexer: index 3 out of range for axis 0 of shape (3, 2)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => t[0, -1] = 1);
    }

    [Fact]
    public void ZerosLike_AndSameShape_NullTensor_ThrowArgumentNull()
    {
        Assert.Equal("like", Assert.Throws<ArgumentNullException>(() => Tensor<float>.ZerosLike(null!)).ParamName);
        Assert.Equal("other", Assert.Throws<ArgumentNullException>(() => Tensor<float>.Zeros(2).SameShape(null!)).ParamName);
    }
}
