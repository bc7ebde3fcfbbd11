using SeqLearn.Text;

namespace SeqLearn.Tests.Text;

public class BoundedReadTests
{
    /// <summary>A stream that reports no length, as a pipe does, handing out at most <c>chunk</c> bytes per read.</summary>
    private sealed class PipeLike(byte[] data, int chunk) : Stream
    {
        private int _at;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, chunk), data.Length - _at);
            Array.Copy(data, _at, buffer, offset, n);
            _at += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData(0, 7)]
    [InlineData(1, 1)]
    [InlineData(65536, 4096)]
    [InlineData(200_001, 9999)]
    public void ReadToEnd_StreamWithoutLength_GrowsToWhatItHolds_AndStopsOneBytePastTheLimit(int length, int chunk)
    {
        byte[] data = Enumerable.Range(0, length).Select(i => (byte)(i * 31)).ToArray();
        Assert.Equal(data, BoundedRead.ReadToEnd(new PipeLike(data, chunk), length, n => new InvalidDataException($"{n}")));
        if (length == 0) return;
        var e = Assert.Throws<InvalidDataException>(() => BoundedRead.ReadToEnd(new PipeLike(data, chunk), length - 1, n => new InvalidDataException($"{n}")));
        Assert.True(long.Parse(e.Message) >= length, e.Message);   // refused once more than the limit was seen, not at the end
    }

    [Fact]
    public void ReadToEnd_SeekableStream_IsReadFromItsPosition_AndALongerOneFailsBeforeReading()
    {
        var stream = new MemoryStream([1, 2, 3, 4, 5]) { Position = 2 };
        Assert.Equal([3, 4, 5], BoundedRead.ReadToEnd(stream, 3, n => new InvalidDataException($"{n}")));
        var e = Assert.Throws<InvalidDataException>(() => BoundedRead.ReadToEnd(new MemoryStream(new byte[10]), 9, n => new InvalidDataException($"{n}")));
        Assert.Equal("10", e.Message);
    }
}
