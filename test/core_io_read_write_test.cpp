// io::read / read_exact / read_to_end / read_to_string / write / write_all /
// write_vectored / flush / shutdown / write_all_buf / take over scripted
// readers and writers, and the io error codes.
#include <gtest/gtest.h>

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/codec/bytes_mut.hpp>
#include <pollen/core/io/buf_reader.hpp>
#include <pollen/core/io/read_line.hpp>
#include <pollen/core/io/take.hpp>
#include <pollen/core/io/write_all_buf.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(std::span<const std::byte> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

/// A reader that plays a script: chunks of bytes (handed out in pieces as
/// the caller's buffer allows), Pending steps (which wake at once, like a
/// yield), and errors; then end of stream.
class ScriptReader {
public:
    struct PendingStep {};
    using Step = std::variant<std::string, PendingStep, std::error_code>;

    ScriptReader& chunk(std::string s) { steps_.emplace_back(std::move(s)); return *this; }
    ScriptReader& pend() { steps_.emplace_back(PendingStep{}); return *this; }
    ScriptReader& fail(std::error_code e) { steps_.emplace_back(e); return *this; }

    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        ++polls;
        if (steps_.empty()) return ready(Ok(std::size_t{0}));
        Step& s = steps_.front();
        if (std::holds_alternative<PendingStep>(s)) {
            steps_.pop_front();
            cx.waker().wake_by_ref();
            return pending;
        }
        if (auto* e = std::get_if<std::error_code>(&s)) {
            std::error_code err = *e;
            steps_.pop_front();
            return ready(Err(err));
        }
        std::string& c = std::get<std::string>(s);
        const std::size_t n = std::min(c.size(), buf.size());
        std::memcpy(buf.data(), c.data(), n);
        c.erase(0, n);
        if (c.empty()) steps_.pop_front();
        return ready(Ok(n));
    }

    int polls = 0;

private:
    std::deque<Step> steps_;
};

/// A writer that accepts at most `per_write` bytes a call, returning Pending
/// (and waking at once) before every accepted write when `stutter` is set.
class TrickleWriter {
public:
    explicit TrickleWriter(std::size_t per_write = 1, bool stutter = false)
        : per_write_(per_write), stutter_(stutter) {}

    Poll<io::Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf) {
        ++writes;
        if (fail_) return ready(Err(*fail_));
        if (stutter_ && (flip_ = !flip_)) {
            cx.waker().wake_by_ref();
            return pending;
        }
        const std::size_t n = std::min({buf.size(), per_write_, room_});
        data.append(text(buf.first(n)));
        room_ -= n;
        return ready(Ok(n));
    }
    Poll<io::Result<void>> poll_flush(Context&) {
        ++flushes;
        return ready(Ok());
    }
    Poll<io::Result<void>> poll_shutdown(Context&) {
        ++shutdowns;
        return ready(Ok());
    }

    void fail_with(std::error_code e) { fail_ = e; }
    /// After `n` more bytes, accepts 0 bytes a write.
    void limit(std::size_t n) { room_ = n; }

    std::string data;
    int writes = 0, flushes = 0, shutdowns = 0;

private:
    std::size_t per_write_;
    bool stutter_;
    bool flip_ = false;
    std::size_t room_ = static_cast<std::size_t>(-1);
    std::optional<std::error_code> fail_;
};

/// TrickleWriter plus its own gathering write, which records each call.
class VectoredWriter : public TrickleWriter {
public:
    VectoredWriter() : TrickleWriter(1 << 20) {}
    Poll<io::Result<std::size_t>> poll_write_vectored(Context&, io::IoSlices bufs) {
        ++vectored_calls;
        std::size_t n = 0;
        for (auto b : bufs) {
            data.append(text(b));
            n += b.size();
        }
        return ready(Ok(n));
    }
    int vectored_calls = 0;
};

static_assert(io::AsyncRead<ScriptReader>);
static_assert(!io::AsyncWrite<ScriptReader>);
static_assert(io::AsyncWrite<TrickleWriter>);
static_assert(!io::AsyncWriteVectored<TrickleWriter>);
static_assert(io::AsyncWriteVectored<VectoredWriter>);

/// Polls to completion; every Pending must come with a wake-up.
template <class F>
output_t<F> drive(F& fut) {
    test::CountingWaker cw;
    for (;;) {
        const std::size_t before = cw.wakes_total();
        auto p = test::poll_once(fut, cw);
        if (p.is_ready()) return p.take();
        if (cw.wakes_total() == before) {
            ADD_FAILURE() << "Pending without a wake-up";
            std::abort();
        }
    }
}

}  // namespace

TEST(CoreIoRead, ReadsWhatIsAvailableThenZeroAtEndOfStream) {
    ScriptReader r;
    r.chunk("hello").chunk("!");
    std::vector<std::byte> buf(16);
    auto a = io::read(r, buf);
    auto n = drive(a);
    ASSERT_TRUE(n.is_ok());
    EXPECT_EQ(text(std::span(buf).first(*n)), "hello");
    auto b = io::read(r, buf);
    EXPECT_EQ(*drive(b), 1u);
    auto c = io::read(r, buf);
    EXPECT_EQ(*drive(c), 0u) << "end of stream is a read of 0 bytes";
}

TEST(CoreIoRead, ReadIsPendingUntilTheReaderHasBytes) {
    ScriptReader r;
    r.pend().chunk("x");
    std::vector<std::byte> buf(4);
    auto fut = io::read(r, buf);
    test::CountingWaker cw;
    EXPECT_TRUE(test::poll_once(fut, cw).is_pending());
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = test::poll_once(fut, cw);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(*p.value(), 1u);
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreIoRead, ReadPassesTheReadersErrorThrough) {
    ScriptReader r;
    r.fail(io::error(std::errc::connection_reset));
    std::vector<std::byte> buf(4);
    auto fut = io::read(r, buf);
    auto res = drive(fut);
    ASSERT_TRUE(res.is_err());
    EXPECT_EQ(res.error(), std::errc::connection_reset);
}

TEST(CoreIoReadExact, FillsTheBufferAcrossShortReadsAndPendings) {
    ScriptReader r;
    r.chunk("ab").pend().chunk("c").pend().chunk("defgh");
    std::vector<std::byte> buf(6);
    auto fut = io::read_exact(r, buf);
    auto n = drive(fut);
    ASSERT_TRUE(n.is_ok());
    EXPECT_EQ(*n, 6u);
    EXPECT_EQ(text(buf), "abcdef");
    std::vector<std::byte> rest(8);
    auto tail = io::read(r, rest);
    EXPECT_EQ(*drive(tail), 2u) << "read_exact reads no more than asked";
}

TEST(CoreIoReadExact, ShortStreamFailsWithUnexpectedEof) {
    ScriptReader r;
    r.chunk("abc");
    std::vector<std::byte> buf(5);
    auto fut = io::read_exact(r, buf);
    auto res = drive(fut);
    ASSERT_TRUE(res.is_err());
    EXPECT_EQ(res.error(), io::errc::unexpected_eof);
    EXPECT_EQ(text(std::span(buf).first(3)), "abc");
}

TEST(CoreIoReadExact, EmptyBufferIsReadyWithoutReading) {
    ScriptReader r;
    std::vector<std::byte> buf;
    auto fut = io::read_exact(r, buf);
    EXPECT_EQ(*drive(fut), 0u);
    EXPECT_EQ(r.polls, 0);
}

TEST(CoreIoReadToEnd, CollectsEveryByteAcrossPendingsAndGrowth) {
    ScriptReader r;
    std::string expected;
    for (int i = 0; i < 2000; ++i) {
        std::string piece(1 + i % 97, static_cast<char>('a' + i % 26));
        expected += piece;
        r.chunk(piece);
        if (i % 7 == 0) r.pend();
    }
    std::vector<std::byte> out = {std::byte{'>'}};
    auto fut = io::read_to_end(r, out);
    auto n = drive(fut);
    ASSERT_TRUE(n.is_ok());
    EXPECT_EQ(*n, expected.size());
    EXPECT_EQ(text(out), ">" + expected) << "appends after what the vector held";
}

TEST(CoreIoReadToEnd, KeepsTheBytesReadBeforeAnError) {
    ScriptReader r;
    r.chunk("abc").fail(io::error(std::errc::connection_aborted)).chunk("zzz");
    std::vector<std::byte> out;
    auto fut = io::read_to_end(r, out);
    auto res = drive(fut);
    ASSERT_TRUE(res.is_err());
    EXPECT_EQ(res.error(), std::errc::connection_aborted);
    EXPECT_EQ(text(out), "abc");
}

TEST(CoreIoReadToEnd, DestroyedMidwayLeavesExactlyTheBytesRead) {
    ScriptReader r;
    r.chunk("one").chunk("two").pend().chunk("three");
    std::vector<std::byte> out;
    test::CountingWaker cw;
    {
        auto fut = io::read_to_end(r, out);
        EXPECT_TRUE(test::poll_once(fut, cw).is_pending());
    }
    EXPECT_EQ(text(out), "onetwo") << "no scratch space left in the vector";
    auto again = io::read_to_end(r, out);
    EXPECT_EQ(*drive(again), 5u);
    EXPECT_EQ(text(out), "onetwothree");
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreIoReadToString, AppendsTheWholeStream) {
    ScriptReader r;
    r.chunk("hello, ").pend().chunk("world");
    std::string s = "# ";
    auto fut = io::read_to_string(r, s);
    auto n = drive(fut);
    ASSERT_TRUE(n.is_ok());
    EXPECT_EQ(*n, 12u);
    EXPECT_EQ(s, "# hello, world");
}

TEST(CoreIoWrite, OneWriteMayAcceptOnlyAPrefix) {
    TrickleWriter w(3);
    auto fut = io::write(w, std::string_view("abcdef"));
    EXPECT_EQ(*drive(fut), 3u);
    EXPECT_EQ(w.data, "abc");
}

TEST(CoreIoWriteAll, LoopsOverAWriterThatAcceptsOneByteAtATime) {
    TrickleWriter w(1, /*stutter=*/true);
    const std::string msg = "partial writes add up";
    auto fut = io::write_all(w, bytes(msg));
    auto res = drive(fut);
    EXPECT_TRUE(res.is_ok());
    EXPECT_EQ(w.data, msg);
    EXPECT_EQ(w.writes, 2 * static_cast<int>(msg.size())) << "one Pending before each byte";
    EXPECT_EQ(w.flushes, 0) << "write_all does not flush";
}

TEST(CoreIoWriteAll, WriterAcceptingZeroBytesIsWriteZero) {
    TrickleWriter w(4);
    w.limit(6);
    auto fut = io::write_all(w, std::string_view("0123456789"));
    auto res = drive(fut);
    ASSERT_TRUE(res.is_err());
    EXPECT_EQ(res.error(), io::errc::write_zero);
    EXPECT_EQ(w.data, "012345");
}

TEST(CoreIoWriteAll, PassesTheWritersErrorThrough) {
    TrickleWriter w;
    w.fail_with(io::error(std::errc::broken_pipe));
    auto fut = io::write_all(w, std::string_view("x"));
    auto res = drive(fut);
    ASSERT_TRUE(res.is_err());
    EXPECT_EQ(res.error(), std::errc::broken_pipe);
}

TEST(CoreIoWriteAll, EmptyBufferIsReadyWithoutWriting) {
    TrickleWriter w;
    auto fut = io::write_all(w, std::string_view(""));
    EXPECT_TRUE(drive(fut).is_ok());
    EXPECT_EQ(w.writes, 0);
}

// ---------------------------------------------------------------- write_all_buf

static_assert(io::Buf<codec::BytesMut>);
static_assert(!io::Buf<std::string>, "a string cannot be advanced");

TEST(CoreIoWriteAllBuf, WritesEveryByteAndAdvancesTheBuffer) {
    TrickleWriter w(3, /*stutter=*/true);
    codec::BytesMut buf(std::string_view("write the whole buffer"));
    auto fut = io::write_all_buf(w, buf);
    EXPECT_TRUE(drive(fut).is_ok());
    EXPECT_EQ(w.data, "write the whole buffer");
    EXPECT_TRUE(buf.empty()) << "advanced past everything written";
    EXPECT_EQ(w.flushes, 0) << "it does not flush";
}

TEST(CoreIoWriteAllBuf, AfterWriteZeroTheBufferHoldsExactlyWhatWasNotWritten) {
    TrickleWriter w(4);
    w.limit(6);
    codec::BytesMut buf(std::string_view("0123456789"));
    auto fut = io::write_all_buf(w, buf);
    auto res = drive(fut);
    ASSERT_TRUE(res.is_err());
    EXPECT_EQ(res.error(), io::errc::write_zero);
    EXPECT_EQ(w.data, "012345");
    EXPECT_EQ(buf.as_string_view(), "6789");
}

TEST(CoreIoWriteAllBuf, PassesTheWritersErrorThroughWithTheBufferUntouched) {
    TrickleWriter w;
    w.fail_with(io::error(std::errc::broken_pipe));
    codec::BytesMut buf(std::string_view("xy"));
    auto fut = io::write_all_buf(w, buf);
    EXPECT_EQ(drive(fut).error(), std::errc::broken_pipe);
    EXPECT_EQ(buf.as_string_view(), "xy");
}

TEST(CoreIoWriteAllBuf, DestroyedMidwayLeavesTheBufferAdvancedByExactlyWhatWasWritten) {
    // Tokio's guarantee for a cancelled write_all_buf: calling again writes the rest.
    TrickleWriter w(2, /*stutter=*/true);
    codec::BytesMut buf(std::string_view("abcdefg"));
    test::CountingWaker cw;
    {
        auto fut = io::write_all_buf(w, buf);
        for (int i = 0; i < 3; ++i) EXPECT_TRUE(test::poll_once(fut, cw).is_pending());
    }
    EXPECT_EQ(w.data, "abcd");
    EXPECT_EQ(buf.as_string_view(), "efg");
    auto again = io::write_all_buf(w, buf);
    EXPECT_TRUE(drive(again).is_ok());
    EXPECT_EQ(w.data, "abcdefg");
    EXPECT_TRUE(buf.empty());
}

TEST(CoreIoWriteAllBuf, AcceptsAnyTypeWithSpanAndAdvance) {
    struct Cursor {
        std::string_view data;
        std::span<const std::byte> span() const { return bytes(data); }
        void advance(std::size_t n) { data.remove_prefix(n); }
    };
    static_assert(io::Buf<Cursor>);
    TrickleWriter w(2);
    Cursor c{"cursor"};
    auto fut = io::write_all_buf(w, c);
    EXPECT_TRUE(drive(fut).is_ok());
    EXPECT_EQ(w.data, "cursor");
    EXPECT_TRUE(c.data.empty());
    auto empty = io::write_all_buf(w, c);
    EXPECT_TRUE(drive(empty).is_ok());
    EXPECT_EQ(w.writes, 3) << "an empty buffer writes nothing";
}

// ---------------------------------------------------------------- take

static_assert(io::AsyncRead<io::Take<ScriptReader>>);
static_assert(io::AsyncRead<io::Take<ScriptReader&>>);
static_assert(!io::AsyncBufRead<io::Take<ScriptReader>>);
static_assert(io::AsyncBufRead<io::Take<io::BufReader<ScriptReader>>>);

TEST(CoreIoTake, ReadsAtMostTheLimitThenEndOfStream) {
    ScriptReader r;
    r.chunk("hello world");
    auto t = io::take(r, 5);
    static_assert(std::is_same_v<decltype(t), io::Take<ScriptReader&>>, "an lvalue is borrowed");
    std::string out;
    auto fut = io::read_to_string(t, out);
    EXPECT_EQ(*drive(fut), 5u);
    EXPECT_EQ(out, "hello");
    EXPECT_EQ(t.limit(), 0u);
    const int polls = r.polls;
    std::vector<std::byte> buf(8);
    auto more = io::read(t, buf);
    EXPECT_EQ(*drive(more), 0u) << "end of stream at the limit";
    EXPECT_EQ(r.polls, polls) << "without asking the inner reader";
}

TEST(CoreIoTake, CutsALargerBufferAndCountsShortReads) {
    ScriptReader r;
    r.chunk("ab").pend().chunk("cdefgh");
    io::Take<ScriptReader&> t(r, 4);
    std::vector<std::byte> buf(16);
    auto a = io::read(t, buf);
    EXPECT_EQ(*drive(a), 2u);
    EXPECT_EQ(t.limit(), 2u);
    auto b = io::read(t, buf);
    EXPECT_EQ(*drive(b), 2u) << "asked for no more than the limit";
    EXPECT_EQ(text(std::span(buf).first(2)), "cd");
    EXPECT_EQ(t.limit(), 0u);
}

TEST(CoreIoTake, EndOfTheInnerStreamBeforeTheLimitIsEndOfStream) {
    ScriptReader r;
    r.chunk("abc");
    auto t = io::take(r, 100);
    std::string out;
    auto fut = io::read_to_string(t, out);
    EXPECT_EQ(*drive(fut), 3u);
    EXPECT_EQ(t.limit(), 97u);
}

TEST(CoreIoTake, PassesErrorsThroughWithoutLoweringTheLimit) {
    ScriptReader r;
    r.fail(io::error(std::errc::connection_reset)).chunk("x");
    auto t = io::take(r, 3);
    std::vector<std::byte> buf(4);
    auto a = io::read(t, buf);
    EXPECT_EQ(drive(a).error(), std::errc::connection_reset);
    EXPECT_EQ(t.limit(), 3u);
}

TEST(CoreIoTake, SetLimitReadsAgainAndIntoInnerKeepsTheRest) {
    ScriptReader r;
    r.chunk("0123456789");
    auto t = io::take(std::move(r), 3);
    static_assert(std::is_same_v<decltype(t), io::Take<ScriptReader>>, "an rvalue is owned");
    std::vector<std::byte> buf(10);
    auto a = io::read_exact(t, std::span(buf).first(3));
    EXPECT_TRUE(drive(a).is_ok());
    t.set_limit(2);
    auto b = io::read(t, buf);
    EXPECT_EQ(*drive(b), 2u);
    EXPECT_EQ(text(std::span(buf).first(2)), "34");
    EXPECT_GT(t.get_ref().polls, 0);
    t.get_mut().chunk("!");
    ScriptReader inner = std::move(t).into_inner();
    std::string rest;
    auto c = io::read_to_string(inner, rest);
    EXPECT_EQ(*drive(c), 6u);
    EXPECT_EQ(rest, "56789!") << "the bytes past the limit stay in the inner reader";
}

TEST(CoreIoTake, OverABufferedReaderIsBufferedAndStopsLinesAtTheLimit) {
    io::BufReader<ScriptReader> br(ScriptReader{}, 64);
    br.get_mut().chunk("one\ntwo\nthree\n");
    auto t = io::take(br, 6);
    std::string line;
    auto a = io::read_line(t, line);
    EXPECT_EQ(*drive(a), 4u);
    EXPECT_EQ(line, "one\n");
    line.clear();
    auto b = io::read_line(t, line);
    EXPECT_EQ(*drive(b), 2u) << "cut at the limit, as end of stream";
    EXPECT_EQ(line, "tw");
    EXPECT_EQ(t.limit(), 0u);
    line.clear();
    auto c = io::read_line(br, line);
    EXPECT_EQ(*drive(c), 2u);
    EXPECT_EQ(line, "o\n") << "the inner reader goes on where the Take stopped";
}

TEST(CoreIoFlushShutdown, ReachTheWriter) {
    TrickleWriter w;
    auto f = io::flush(w);
    EXPECT_TRUE(drive(f).is_ok());
    auto s = io::shutdown(w);
    EXPECT_TRUE(drive(s).is_ok());
    EXPECT_EQ(w.flushes, 1);
    EXPECT_EQ(w.shutdowns, 1);
}

TEST(CoreIoWriteVectored, WithoutOwnVectoredWriteWritesTheFirstNonEmptyBuffer) {
    TrickleWriter w(100);
    std::span<const std::byte> parts[] = {bytes(""), bytes("second"), bytes("third")};
    auto fut = io::write_vectored(w, parts);
    EXPECT_EQ(*drive(fut), 6u);
    EXPECT_EQ(w.data, "second");
}

TEST(CoreIoWriteVectored, AllEmptyBuffersWriteNothing) {
    TrickleWriter w(100);
    std::span<const std::byte> parts[] = {bytes(""), bytes("")};
    auto fut = io::write_vectored(w, parts);
    EXPECT_EQ(*drive(fut), 0u);
    EXPECT_EQ(w.writes, 0);
}

TEST(CoreIoWriteVectored, UsesTheWritersOwnGatheringWrite) {
    VectoredWriter w;
    std::span<const std::byte> parts[] = {bytes("a"), bytes("bc"), bytes("def")};
    auto fut = io::write_vectored(w, parts);
    EXPECT_EQ(*drive(fut), 6u);
    EXPECT_EQ(w.data, "abcdef");
    EXPECT_EQ(w.vectored_calls, 1);
    EXPECT_EQ(w.writes, 0);
}

TEST(CoreIoError, OwnKindsHaveACategoryMessagesAndPortableConditions) {
    std::error_code e = io::errc::unexpected_eof;
    EXPECT_STREQ(e.category().name(), "pollen.io");
    EXPECT_EQ(e.message(), "unexpected end of file");
    EXPECT_EQ(e, io::error(io::errc::unexpected_eof));
    EXPECT_NE(e, io::error(io::errc::write_zero));
    EXPECT_TRUE(e == std::errc::io_error) << "classifiable by std::errc";
    EXPECT_TRUE(io::error(io::errc::max_line_length_exceeded) == std::errc::value_too_large);
    EXPECT_EQ(io::error(io::errc::invalid_data).message(), "stream did not contain valid UTF-8");
    EXPECT_TRUE(io::error(io::errc::invalid_data) == std::errc::illegal_byte_sequence);
    EXPECT_EQ(io::error(std::errc::broken_pipe), std::make_error_code(std::errc::broken_pipe));
}
