// BufReader (read, fill_buf/consume, read_line, read_until, lines, max line
// length) and BufWriter over scripted readers and writers.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(std::span<const std::byte> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

/// Plays chunks ("" is a Pending step that wakes at once), then end of stream.
class ChunkReader {
public:
    ChunkReader(std::initializer_list<std::string> chunks) : chunks_(chunks) {}
    void push(std::string c) { chunks_.push_back(std::move(c)); }

    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        ++reads;
        if (chunks_.empty()) return ready(Ok(std::size_t{0}));
        if (chunks_.front().empty()) {
            chunks_.pop_front();
            cx.waker().wake_by_ref();
            return pending;
        }
        std::string& c = chunks_.front();
        const std::size_t n = std::min(c.size(), buf.size());
        std::memcpy(buf.data(), c.data(), n);
        c.erase(0, n);
        if (c.empty()) chunks_.pop_front();
        largest_request = std::max(largest_request, buf.size());
        return ready(Ok(n));
    }

    int reads = 0;
    std::size_t largest_request = 0;

private:
    std::deque<std::string> chunks_;
};

/// Accepts at most `per_write` bytes a call; Pending (waking at once) before
/// every accepted write when `stutter` is set.
class TrickleWriter {
public:
    explicit TrickleWriter(std::size_t per_write = 1 << 20, bool stutter = false)
        : per_write_(per_write), stutter_(stutter) {}
    Poll<io::Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf) {
        if (stutter_ && (flip_ = !flip_)) {
            cx.waker().wake_by_ref();
            return pending;
        }
        ++writes;
        const std::size_t n = std::min(buf.size(), per_write_);
        data.append(text(buf.first(n)));
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
    std::string data;
    int writes = 0, flushes = 0, shutdowns = 0;

private:
    std::size_t per_write_;
    bool stutter_;
    bool flip_ = false;
};

static_assert(io::AsyncRead<io::BufReader<ChunkReader>>);
static_assert(io::AsyncBufRead<io::BufReader<ChunkReader>>);
static_assert(!io::AsyncWrite<io::BufReader<ChunkReader>>);
static_assert(io::AsyncWrite<io::BufReader<io::DuplexStream>>, "passes writes through");
static_assert(io::AsyncWrite<io::BufWriter<TrickleWriter>>);
static_assert(!io::AsyncRead<io::BufWriter<TrickleWriter>>);
static_assert(io::AsyncRead<io::BufWriter<io::DuplexStream>>, "passes reads through");
static_assert(io::AsyncBufRead<io::BufWriter<io::BufReader<io::DuplexStream>>>);

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

/// The next item of a stream, polling until it is ready.
template <class S>
std::optional<typename S::Item> next(S& s) {
    test::CountingWaker cw;
    for (;;) {
        const std::size_t before = cw.wakes_total();
        Waker w = cw.waker();
        Context cx(w);
        auto p = s.poll_next(cx);
        if (p.is_ready()) return p.take();
        if (cw.wakes_total() == before) {
            ADD_FAILURE() << "Pending without a wake-up";
            std::abort();
        }
    }
}

std::vector<std::string> collect_lines(io::Lines<io::BufReader<ChunkReader>&> lines) {
    std::vector<std::string> out;
    while (auto item = next(lines)) {
        if (item->is_err()) out.push_back("ERR:" + item->error().message());
        else out.push_back(**item);
    }
    return out;
}

}  // namespace

TEST(CoreIoBufReader, ServesSmallReadsFromOneInnerRead) {
    io::BufReader br(ChunkReader{"abcdefgh"});
    std::vector<std::byte> two(2);
    std::string got;
    for (int i = 0; i < 4; ++i) {
        auto r = io::read(br, two);
        ASSERT_EQ(*drive(r), 2u);
        got += text(two);
    }
    EXPECT_EQ(got, "abcdefgh");
    EXPECT_EQ(br.get_ref().reads, 1);
    auto eof = io::read(br, two);
    EXPECT_EQ(*drive(eof), 0u);
}

TEST(CoreIoBufReader, LargeReadOnAnEmptyBufferBypassesIt) {
    io::BufReader br(ChunkReader{"0123456789"}, 4);
    std::vector<std::byte> big(16);
    auto r = io::read(br, big);
    EXPECT_EQ(*drive(r), 10u);
    EXPECT_EQ(br.get_ref().largest_request, 16u) << "the caller's buffer went to the inner reader";
    EXPECT_TRUE(br.buffer().empty());
}

TEST(CoreIoBufReader, FillBufShowsBufferedBytesUntilConsumed) {
    io::BufReader br(ChunkReader{"hello", "world"});
    test::CountingWaker cw;
    Waker w = cw.waker();
    Context cx(w);
    auto a = br.poll_fill_buf(cx);
    ASSERT_TRUE(a.is_ready());
    EXPECT_EQ(text(*a.value()), "hello");
    br.consume(3);
    auto b = br.poll_fill_buf(cx);
    EXPECT_EQ(text(*b.value()), "lo") << "no new read while bytes remain";
    br.consume(2);
    auto c = br.poll_fill_buf(cx);
    EXPECT_EQ(text(*c.value()), "world");
    br.consume(5);
    auto d = br.poll_fill_buf(cx);
    EXPECT_TRUE(d.value()->empty()) << "empty at end of stream";
}

TEST(CoreIoReadLine, KeepsTheTerminatorAndReturnsZeroAtEndOfStream) {
    io::BufReader br(ChunkReader{"first\nsec", "", "ond\r\nlast"}, 4);
    std::string line;
    auto a = br.read_line(line);
    EXPECT_EQ(*drive(a), 6u);
    EXPECT_EQ(line, "first\n");
    line.clear();
    auto b = br.read_line(line);
    EXPECT_EQ(*drive(b), 8u);
    EXPECT_EQ(line, "second\r\n");
    line.clear();
    auto c = br.read_line(line);
    EXPECT_EQ(*drive(c), 4u);
    EXPECT_EQ(line, "last") << "a last line without newline";
    auto d = br.read_line(line);
    EXPECT_EQ(*drive(d), 0u);
    EXPECT_EQ(line, "last");
}

TEST(CoreIoReadUntil, StopsAfterTheDelimiter) {
    io::BufReader br(ChunkReader{"a,bb", ",ccc"});
    std::vector<std::byte> rec;
    auto a = br.read_until(std::byte{','}, rec);
    EXPECT_EQ(*drive(a), 2u);
    EXPECT_EQ(text(rec), "a,");
    rec.clear();
    auto b = io::read_until(br, std::byte{','}, rec);
    EXPECT_EQ(*drive(b), 3u);
    EXPECT_EQ(text(rec), "bb,");
    rec.clear();
    auto c = io::read_until(br, std::byte{','}, rec);
    EXPECT_EQ(*drive(c), 3u);
    EXPECT_EQ(text(rec), "ccc");
}

TEST(CoreIoLines, StripsLfAndCrlfAndYieldsALastLineWithoutNewline) {
    io::BufReader br(ChunkReader{"one\ntwo\r", "\n\nthree\r\nfo", "", "ur"}, 3);
    EXPECT_EQ(collect_lines(br.lines()), (std::vector<std::string>{"one", "two", "", "three", "four"}));
}

TEST(CoreIoLines, IsAStreamWithTheStreamExtMethods) {
    static_assert(Stream<io::Lines<io::BufReader<ChunkReader>&>>);
    io::BufReader br(ChunkReader{"a\nb\n"});
    auto lines = br.lines();
    auto first = lines.next();
    auto item = drive(first);
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(**item, "a");
}

TEST(CoreIoLines, EmptyInputHasNoLines) {
    io::BufReader br(ChunkReader{});
    EXPECT_TRUE(collect_lines(br.lines()).empty());
}

TEST(CoreIoLines, CanOwnItsReader) {
    auto lines = io::BufReader(ChunkReader{"x\ny\n"}).lines();
    static_assert(std::is_same_v<decltype(lines), io::Lines<io::BufReader<ChunkReader>>>);
    auto a = next(lines);
    auto b = next(lines);
    EXPECT_EQ(**a, "x");
    EXPECT_EQ(**b, "y");
    EXPECT_FALSE(next(lines).has_value());
}

TEST(CoreIoLines, ReadErrorIsAnItemAndThePartialLineSurvivesIt) {
    // A reader that fails once in the middle of a line.
    struct Flaky {
        ChunkReader inner{"ab", "", "cd\n"};
        bool failed = false;
        Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
            if (inner.reads == 1 && !failed) {
                failed = true;
                return ready(Err(io::error(std::errc::connection_reset)));
            }
            return inner.poll_read(cx, buf);
        }
    };
    io::BufReader br(Flaky{});
    auto lines = br.lines();
    auto a = next(lines);
    ASSERT_TRUE(a->is_err());
    EXPECT_EQ(a->error(), std::errc::connection_reset);
    auto b = next(lines);
    EXPECT_EQ(**b, "abcd");
}

TEST(CoreIoMaxLineLength, ReadLineFailsAfterStoringOnlyTheLimit) {
    io::BufReader br(ChunkReader{"0123456789ABCDEF\nok\n"}, 4);
    br.set_max_line_length(5);
    std::string line;
    auto a = br.read_line(line);
    auto r = drive(a);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), io::errc::max_line_length_exceeded);
    EXPECT_EQ(line, "01234");
}

TEST(CoreIoMaxLineLength, ExactlyTheLimitIsAcceptedWithLfOrCrlf) {
    io::BufReader br(ChunkReader{"12345\n", "abcde\r", "\n", "vwxyz\r"}, 8);
    br.set_max_line_length(5);
    std::string line;
    auto a = br.read_line(line);
    EXPECT_EQ(*drive(a), 6u);
    line.clear();
    auto b = br.read_line(line);
    EXPECT_EQ(*drive(b), 7u) << "the \\r of a CRLF is not part of the line";
    EXPECT_EQ(line, "abcde\r\n");
    line.clear();
    auto c = br.read_line(line);
    EXPECT_EQ(*drive(c), 6u) << "a trailing \\r at end of stream is tolerated once";
    auto d = br.read_line(line);
    EXPECT_EQ(*drive(d), 0u);
}

TEST(CoreIoMaxLineLength, CarriageReturnNotFollowedByNewlineCounts) {
    io::BufReader br(ChunkReader{"abcde\r", "x\n"});
    std::string line;
    auto a = io::read_line(br, line, 5);
    auto r = drive(a);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), io::errc::max_line_length_exceeded);
}

// Found by the buf_reader_lines fuzz target: a '\r' just past the limit was
// consumed when a read ended right after it and left when it did not, so
// the next read_line started at a different byte.
TEST(CoreIoMaxLineLength, ARefusedLineLeavesTheReaderAtTheSamePlaceHoweverTheBytesArrive) {
    for (auto chunks : {std::vector<std::string>{"ab\rcd\n"}, std::vector<std::string>{"ab\r", "cd\n"},
                        std::vector<std::string>{"ab", "\rcd\n"}, std::vector<std::string>{"a", "b", "\r", "c", "d\n"}}) {
        ChunkReader src{};
        for (auto& c : chunks) src.push(c);
        io::BufReader br(std::move(src), 64);
        br.set_max_line_length(2);
        std::string first, rest;
        auto a = br.read_line(first);
        auto r = drive(a);
        ASSERT_TRUE(r.is_err());
        EXPECT_EQ(first, "ab\r") << "the '\r' after the limit might have begun a CRLF: taken in every case";
        auto b = br.read_line(rest);
        EXPECT_EQ(*drive(b), 3u);
        EXPECT_EQ(rest, "cd\n");
    }
}

TEST(CoreIoMaxLineLength, LinesReportTheLongLineOnceAndGoOn) {
    io::BufReader br(ChunkReader{"short\n0123456789", "", "0123456789\r\nafter\n"}, 4);
    br.set_max_line_length(8);
    EXPECT_EQ(collect_lines(br.lines()),
              (std::vector<std::string>{"short", "ERR:maximum line length exceeded", "after"}));
}

TEST(CoreIoMaxLineLength, AnEndlessLineDoesNotGrowMemory) {
    // 8 MiB without a newline, in 64 KiB chunks; the limit is 1 KiB.
    ChunkReader src{};
    const std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 128; ++i) src.push(chunk);
    src.push("\nnext\n");
    io::BufReader br(std::move(src));
    br.set_max_line_length(1024);
    std::string line;
    auto a = br.read_line(line);
    EXPECT_TRUE(drive(a).is_err());
    EXPECT_EQ(line.size(), 1024u);
    EXPECT_LE(line.capacity(), 64u * 1024) << "never held more than one chunk's worth";
    auto lines = br.lines();
    auto err = next(lines);
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(err->is_err()) << "still inside the long line";
    auto after = next(lines);
    EXPECT_EQ(**after, "next");
}

TEST(CoreIoReadLine, DestroyedMidwayKeepsConsumedBytesAndResumes) {
    io::BufReader br(ChunkReader{"hel", "", "lo\n"});
    std::string line;
    test::CountingWaker cw;
    {
        auto a = br.read_line(line);
        EXPECT_TRUE(test::poll_once(a, cw).is_pending());
    }
    EXPECT_EQ(line, "hel");
    auto b = br.read_line(line);
    EXPECT_EQ(*drive(b), 3u);
    EXPECT_EQ(line, "hello\n");
    EXPECT_TRUE(cw.balanced());
}

// ---------------------------------------------------------------- read_line and UTF-8

namespace {

/// Chunks of bytes and read errors, in order; then end of stream.
class StepReader {
public:
    StepReader& chunk(std::string s) {
        steps_.push_back(Step{std::move(s), {}});
        return *this;
    }
    StepReader& fail(std::errc e) {
        steps_.push_back(Step{{}, io::error(e)});
        return *this;
    }
    Poll<io::Result<std::size_t>> poll_read(Context&, std::span<std::byte> buf) {
        if (steps_.empty()) return ready(Ok(std::size_t{0}));
        Step& s = steps_.front();
        if (s.error) {
            auto e = s.error;
            steps_.pop_front();
            return ready(Err(e));
        }
        const std::size_t n = std::min(s.bytes.size(), buf.size());
        std::memcpy(buf.data(), s.bytes.data(), n);
        s.bytes.erase(0, n);
        if (s.bytes.empty()) steps_.pop_front();
        return ready(Ok(n));
    }

private:
    struct Step {
        std::string bytes;
        std::error_code error;
    };
    std::deque<Step> steps_;
};

}  // namespace

TEST(CoreIoReadLine, InvalidUtf8IsInvalidDataAndAppendsNothing) {
    // Tokio's read_line_invalid_utf8: the string keeps what it held.
    io::BufReader<StepReader> br(StepReader().chunk("Hello Wor\xffld.\nnext\n"));
    std::string line = "Foo";
    auto a = br.read_line(line);
    auto r = drive(a);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), io::errc::invalid_data);
    EXPECT_EQ(r.error().message(), "stream did not contain valid UTF-8");
    EXPECT_EQ(line, "Foo");
    auto b = br.read_line(line);
    EXPECT_EQ(*drive(b), 5u) << "the refused line was consumed: reading goes on after it";
    EXPECT_EQ(line, "Foonext\n");
}

TEST(CoreIoReadLine, RefusesOverlongFormsSurrogatesAndACharacterCutByTheEnd) {
    for (std::string bad : {"\xc0\xaf\n", "\xed\xa0\x80\n", "\xf4\x90\x80\x80\n", "ab\xe2\x82"}) {
        io::BufReader<StepReader> br(StepReader().chunk(bad));
        std::string line;
        auto a = br.read_line(line);
        EXPECT_EQ(drive(a).error(), io::errc::invalid_data) << "bytes of size " << bad.size();
        EXPECT_EQ(line, "");
    }
}

TEST(CoreIoReadLine, MultiByteCharactersSplitAcrossReadsAreWhole) {
    const std::string text = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n";  // 2-, 3- and 4-byte characters
    StepReader src;
    for (char c : text) src.chunk(std::string(1, c));  // one byte per read
    io::BufReader br(std::move(src), 1);
    std::string line;
    auto a = br.read_line(line);
    EXPECT_EQ(*drive(a), text.size());
    EXPECT_EQ(line, text);
}

TEST(CoreIoReadLine, ReadErrorKeepsTheBytesWhenTheyAreUtf8) {
    // Tokio's read_line_fail.
    io::BufReader<StepReader> br(StepReader().chunk("Hello Wor").fail(std::errc::connection_reset).chunk("ld\n"));
    std::string line = "Foo";
    auto a = br.read_line(line);
    EXPECT_EQ(drive(a).error(), std::errc::connection_reset);
    EXPECT_EQ(line, "FooHello Wor");
    auto b = br.read_line(line);
    EXPECT_EQ(*drive(b), 3u) << "calling again continues the line";
    EXPECT_EQ(line, "FooHello World\n");
}

TEST(CoreIoReadLine, ReadErrorAfterInvalidBytesKeepsNothingAndReportsTheReadError) {
    // Tokio's read_line_fail_and_utf8_fail.
    StepReader src;
    src.chunk("Hello Wor").chunk("\xff\xff\xff").fail(std::errc::connection_reset);
    io::BufReader<StepReader> br(std::move(src));
    std::string line = "Foo";
    auto a = br.read_line(line);
    EXPECT_EQ(drive(a).error(), std::errc::connection_reset);
    EXPECT_EQ(line, "Foo");
}

TEST(CoreIoReadLine, ACharacterCutByAReadErrorIsCompletedByTheNextCall) {
    io::BufReader<StepReader> br(StepReader().chunk("ab\xc3").fail(std::errc::connection_reset).chunk("\xa9\n"));
    std::string line;
    auto a = br.read_line(line);
    EXPECT_EQ(drive(a).error(), std::errc::connection_reset);
    EXPECT_EQ(line, "ab\xc3") << "UTF-8 so far: the line goes on";
    auto b = br.read_line(line);
    EXPECT_EQ(*drive(b), 2u);
    EXPECT_EQ(line, "ab\xc3\xa9\n");
}

TEST(CoreIoReadLine, ALineCutByMaxLenInsideACharacter) {
    io::BufReader<StepReader> br(StepReader().chunk("\xc3\xa9\xc3\xa9\n\xc3\xa9\xc3\xa9\n"));
    std::string line;
    auto a = io::read_line(br, line, 3);
    EXPECT_EQ(drive(a).error(), io::errc::max_line_length_exceeded);
    EXPECT_EQ(line, "\xc3\xa9\xc3") << "the first max_len bytes, a character cut short";
    auto b = io::read_line(br, line);
    EXPECT_EQ(*drive(b), 2u) << "into the same string the character is completed";
    EXPECT_EQ(line, "\xc3\xa9\xc3\xa9\n");
    std::string other;
    auto c = io::read_line(br, other, 3);
    EXPECT_EQ(drive(c).error(), io::errc::max_line_length_exceeded);
    std::string fresh;
    auto d = io::read_line(br, fresh);
    EXPECT_EQ(drive(d).error(), io::errc::invalid_data) << "a line starting inside a character is not UTF-8";
    EXPECT_EQ(fresh, "");
}

TEST(CoreIoReadLine, DestroyedInsideACharacterResumesIntoTheSameString) {
    io::BufReader br(ChunkReader{"h\xc3", "", "\xa9\n"});
    std::string line;
    test::CountingWaker cw;
    {
        auto a = br.read_line(line);
        EXPECT_TRUE(test::poll_once(a, cw).is_pending());
    }
    EXPECT_EQ(line, "h\xc3") << "consumed bytes stay, unchecked";
    auto b = br.read_line(line);
    EXPECT_EQ(*drive(b), 2u);
    EXPECT_EQ(line, "h\xc3\xa9\n");
}

TEST(CoreIoReadUntil, IsTheByteOrientedAlternative) {
    io::BufReader<StepReader> br(StepReader().chunk("\xff\xfe\n"));
    std::vector<std::byte> rec;
    auto a = br.read_until(std::byte{'\n'}, rec);
    EXPECT_EQ(*drive(a), 3u) << "no UTF-8 check";
    EXPECT_EQ(text(rec), "\xff\xfe\n");
}

TEST(CoreIoLines, ALineThatIsNotUtf8IsAnErrorItemAndTheStreamGoesOn) {
    io::BufReader br(ChunkReader{"ok\n\xff", "", "bad\nn\xc3", "\xa9xt\r\n"}, 3);
    EXPECT_EQ(collect_lines(br.lines()),
              (std::vector<std::string>{"ok", "ERR:stream did not contain valid UTF-8", "n\xc3\xa9xt"}));
}

TEST(CoreIoBufWriter, SmallWritesStayBufferedUntilFlush) {
    io::BufWriter bw(TrickleWriter{}, 16);
    auto a = io::write_all(bw, std::string_view("abc"));
    EXPECT_TRUE(drive(a).is_ok());
    auto b = io::write_all(bw, std::string_view("def"));
    EXPECT_TRUE(drive(b).is_ok());
    EXPECT_EQ(bw.get_ref().writes, 0);
    EXPECT_EQ(text(bw.buffer()), "abcdef");
    auto f = io::flush(bw);
    EXPECT_TRUE(drive(f).is_ok());
    EXPECT_EQ(bw.get_ref().data, "abcdef");
    EXPECT_EQ(bw.get_ref().writes, 1) << "one write for both";
    EXPECT_EQ(bw.get_ref().flushes, 1);
}

TEST(CoreIoBufWriter, WriteThatDoesNotFitFlushesTheBufferFirst) {
    io::BufWriter bw(TrickleWriter{}, 8);
    auto a = io::write_all(bw, std::string_view("12345"));
    EXPECT_TRUE(drive(a).is_ok());
    auto b = io::write_all(bw, std::string_view("6789"));
    EXPECT_TRUE(drive(b).is_ok());
    EXPECT_EQ(bw.get_ref().data, "12345");
    EXPECT_EQ(text(bw.buffer()), "6789");
}

TEST(CoreIoBufWriter, LargeWriteGoesStraightThrough) {
    io::BufWriter bw(TrickleWriter{}, 8);
    auto a = io::write(bw, std::string_view("0123456789"));
    EXPECT_EQ(*drive(a), 10u);
    EXPECT_EQ(bw.get_ref().data, "0123456789");
    EXPECT_TRUE(bw.buffer().empty());
}

TEST(CoreIoBufWriter, ShutdownWritesOutThroughATrickleAndShutsTheInnerDown) {
    io::BufWriter bw(TrickleWriter{1, /*stutter=*/true}, 64);
    const std::string msg = "one byte at a time, with pendings";
    auto a = io::write_all(bw, bytes(msg));
    EXPECT_TRUE(drive(a).is_ok());
    EXPECT_EQ(bw.get_ref().data, "");
    auto s = io::shutdown(bw);
    EXPECT_TRUE(drive(s).is_ok());
    EXPECT_EQ(bw.get_ref().data, msg);
    EXPECT_EQ(bw.get_ref().shutdowns, 1);
}

TEST(CoreIoBufWriter, VectoredWriteIsGatheredIntoTheBuffer) {
    io::BufWriter bw(TrickleWriter{}, 32);
    std::span<const std::byte> parts[] = {bytes("ab"), bytes(""), bytes("cde")};
    auto a = io::write_vectored(bw, parts);
    EXPECT_EQ(*drive(a), 5u);
    EXPECT_EQ(text(bw.buffer()), "abcde");
    auto f = io::flush(bw);
    EXPECT_TRUE(drive(f).is_ok());
    EXPECT_EQ(bw.get_ref().data, "abcde");
}

TEST(CoreIoBufWriter, CanBorrowItsWriter) {
    TrickleWriter w;
    {
        io::BufWriter bw(w, 8);
        static_assert(std::is_same_v<decltype(bw), io::BufWriter<TrickleWriter&>>);
        auto a = io::write_all(bw, std::string_view("hi"));
        EXPECT_TRUE(drive(a).is_ok());
        auto f = io::flush(bw);
        EXPECT_TRUE(drive(f).is_ok());
    }
    EXPECT_EQ(w.data, "hi");
}
