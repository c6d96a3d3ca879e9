// core/codec: BytesMut; LinesCodec, LengthDelimitedCodec and BytesCodec
// decode/encode edge cases (input split at every byte, maximum lengths, end
// of stream, invalid UTF-8, byte order, adjustment); FramedRead over a
// scripted reader (reads only when needed, decode_eof, errors end the
// stream); FramedWrite backpressure over a duplex whose peer does not read;
// Framed under a runtime, into_parts/from_parts, and destruction mid-frame.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/codec/bytes_codec.hpp>
#include <pollen/core/codec/bytes_mut.hpp>
#include <pollen/core/codec/decoder.hpp>
#include <pollen/core/codec/encoder.hpp>
#include <pollen/core/codec/framed.hpp>
#include <pollen/core/codec/framed_read.hpp>
#include <pollen/core/codec/framed_write.hpp>
#include <pollen/core/codec/length_delimited.hpp>
#include <pollen/core/codec/lines_codec.hpp>
#include <pollen/core/codec/sink_ext.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using codec::BytesMut;

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(std::span<const std::byte> b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

static_assert(codec::Decoder<codec::LinesCodec>);
static_assert(codec::Decoder<codec::LengthDelimitedCodec>);
static_assert(codec::Decoder<codec::BytesCodec>);
static_assert(codec::Encoder<codec::LinesCodec, std::string>);
static_assert(codec::Encoder<codec::LinesCodec, const char*>);
static_assert(!codec::Encoder<codec::LinesCodec, int>);
static_assert(codec::Encoder<codec::LengthDelimitedCodec, BytesMut>);
static_assert(codec::Encoder<codec::LengthDelimitedCodec, std::vector<std::byte>&>);
static_assert(codec::Encoder<codec::BytesCodec, std::string_view>);
static_assert(Stream<codec::FramedRead<io::DuplexStream, codec::LinesCodec>>);
static_assert(Sink<codec::FramedWrite<io::DuplexStream, codec::LinesCodec>, std::string>);
static_assert(!Sink<codec::FramedWrite<io::DuplexStream, codec::LinesCodec>, int>);
static_assert(Stream<codec::Framed<io::DuplexStream&, codec::LengthDelimitedCodec>>);
static_assert(Sink<codec::Framed<io::DuplexStream&, codec::LengthDelimitedCodec>, BytesMut>);

using Line = Result<std::optional<std::string>, std::error_code>;

/// Every decode result of `codec` fed `input` in the chunks that `cuts`
/// (increasing offsets) delimit, decoding after each chunk until it needs
/// more, then decode_eof until it has nothing. Lines as text, errors as
/// "!<message>".
template <class C>
std::vector<std::string> decode_in_chunks(C codec, std::string_view input, const std::vector<std::size_t>& cuts) {
    std::vector<std::string> out;
    BytesMut buf;
    auto record = [&](auto r) {
        if (r.is_err()) {
            out.push_back("!" + r.error().message());
            return true;
        }
        if (!r->has_value()) return false;
        if constexpr (std::is_same_v<std::decay_t<decltype(**r)>, std::string>) out.push_back(**r);
        else out.push_back(std::string((**r).as_string_view()));
        return true;
    };
    std::size_t from = 0;
    auto feed_to = [&](std::size_t to) {
        buf.extend_from_slice(input.substr(from, to - from));
        from = to;
        while (record(codec.decode(buf))) {
        }
    };
    for (std::size_t cut : cuts) feed_to(cut);
    feed_to(input.size());
    while (record(codec::decode_eof(codec, buf))) {
        if (out.back().starts_with("!")) break;  // an error at end of stream: it stays
    }
    return out;
}

/// The results for the whole input at once, then for every split into two
/// chunks and for one byte at a time, all of which must agree.
template <class C>
std::vector<std::string> decode_every_split(const C& codec, std::string_view input) {
    const auto whole = decode_in_chunks(codec, input, {});
    for (std::size_t i = 1; i < input.size(); ++i)
        EXPECT_EQ(decode_in_chunks(codec, input, {i}), whole) << "split at byte " << i;
    std::vector<std::size_t> each;
    for (std::size_t i = 1; i < input.size(); ++i) each.push_back(i);
    EXPECT_EQ(decode_in_chunks(codec, input, each), whole) << "one byte at a time";
    return whole;
}

/// Plays steps (bytes, "" for a Pending that wakes at once, or an error),
/// then end of stream; counts poll_read calls.
class ScriptedReader {
public:
    struct Step {
        std::string bytes;
        std::error_code error{};
    };
    ScriptedReader(std::initializer_list<Step> steps) : steps_(steps) {}

    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        ++reads;
        if (steps_.empty()) return ready(Ok(std::size_t{0}));
        Step& s = steps_.front();
        if (s.error) {
            auto e = s.error;
            steps_.pop_front();
            return ready(Err(e));
        }
        if (s.bytes.empty()) {
            steps_.pop_front();
            cx.waker().wake_by_ref();
            return pending;
        }
        const std::size_t n = std::min(s.bytes.size(), buf.size());
        std::memcpy(buf.data(), s.bytes.data(), n);
        s.bytes.erase(0, n);
        if (s.bytes.empty()) steps_.pop_front();
        return ready(Ok(n));
    }

    std::size_t reads = 0;

private:
    std::deque<Step> steps_;
};

/// One line of `total` 'x's, 4 KiB a read with a Pending (waking at once)
/// between reads, then "\nfine\n" and end of stream.
struct LongLineReader {
    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        if ((stall = !stall)) {
            cx.waker().wake_by_ref();
            return pending;
        }
        if (served < total) {
            const std::size_t n = std::min({buf.size(), total - served, std::size_t{4096}});
            std::fill_n(buf.begin(), n, std::byte{'x'});
            served += n;
            return ready(Ok(n));
        }
        const std::size_t n = std::min(buf.size(), tail.size());
        std::memcpy(buf.data(), tail.data(), n);
        tail.erase(0, n);
        return ready(Ok(n));
    }
    std::size_t total;
    std::size_t served = 0;
    std::string tail = "\nfine\n";
    bool stall = false;
};

template <Stream S>
Poll<std::optional<item_t<S>>> poll_next_once(S& s, test::CountingWaker& cw) {
    Waker w = cw.waker();
    Context cx(w);
    return s.poll_next(cx);
}

/// The next item of a stream that must be ready, as text: the frame, "!<message>", or "<end>".
template <Stream S>
std::string next_text(S& s, test::CountingWaker& cw) {
    auto p = poll_next_once(s, cw);
    if (p.is_pending()) return "<pending>";
    auto item = p.take();
    if (!item) return "<end>";
    if (item->is_err()) return "!" + item->error().message();
    if constexpr (std::is_same_v<std::decay_t<decltype(**item)>, std::string>) return **item;
    else return std::string((**item).as_string_view());
}

/// Reads what the peer has buffered, without waiting.
std::string drain(io::DuplexStream& s, test::CountingWaker& cw) {
    std::string got;
    std::vector<std::byte> buf(4096);
    for (;;) {
        Waker w = cw.waker();
        Context cx(w);
        auto p = s.poll_read(cx, buf);
        if (p.is_pending() || p.value().is_err() || *p.value() == 0) return got;
        got += text(std::span(buf).first(*p.value()));
    }
}

/// Sends every item with `feed`, then `close`s the sink: the test's
/// `for x in items { sink.feed(x).await? } sink.close().await`.
template <class Si, class T>
class FeedAllThenClose : public FutureExt<FeedAllThenClose<Si, T>> {
public:
    using Output = Result<void, sink_error_t<Si>>;
    FeedAllThenClose(Si& sink, std::vector<T> items) : sink_(sink), items_(std::move(items)) {}

    Poll<Output> poll(Context& cx) {
        while (next_ < items_.size()) {
            if (!feed_) feed_.emplace(sink_.feed(std::move(items_[next_])));
            auto p = feed_->poll(cx);
            if (p.is_pending()) return pending;
            feed_.reset();
            ++next_;
            if (p.value().is_err()) return p;
        }
        if (!close_) close_.emplace(sink_.close());
        return close_->poll(cx);
    }

private:
    Si& sink_;
    std::vector<T> items_;
    std::size_t next_ = 0;
    std::optional<sink::Feed<Si, T>> feed_;
    std::optional<sink::Close<Si>> close_;
};

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

/// A line server: answers each line upper-cased (send: written and
/// flushed), and closes when the client has finished.
template <class F>
class UpperEcho : public FutureExt<UpperEcho<F>> {
public:
    using Output = io::Result<std::size_t>;  // lines answered
    explicit UpperEcho(F framed) : framed_(std::move(framed)) {}

    Poll<Output> poll(Context& cx) {
        for (;;) {
            if (send_) {
                auto s = send_->poll(cx);
                if (s.is_pending()) return pending;
                send_.reset();
                if (s.value().is_err()) return ready(Err(s.value().error()));
                ++answered_;
            }
            auto p = framed_.poll_next(cx);
            if (p.is_pending()) return pending;
            auto item = p.take();
            if (!item) break;
            if (item->is_err()) return ready(Err(item->error()));
            send_.emplace(framed_.send(upper(std::move(**item))));
        }
        auto c = framed_.poll_close(cx);
        if (c.is_pending()) return pending;
        if (c.value().is_err()) return ready(Err(c.value().error()));
        return ready(Ok(answered_));
    }

private:
    F framed_;
    std::optional<sink::Send<F, std::string>> send_;
    std::size_t answered_ = 0;
};

}  // namespace

// ---------------------------------------------------------------- BytesMut

TEST(CoreCodecBytesMut, AdvanceDropsTheFrontAndReserveReusesItBeforeGrowing) {
    BytesMut b = BytesMut::with_capacity(16);
    b.extend_from_slice("0123456789abcdef");
    const std::byte* storage = b.data();
    b.advance(12);
    EXPECT_EQ(b.as_string_view(), "cdef");
    EXPECT_EQ(b.capacity(), 4u);
    b.reserve(8);  // 12 consumed bytes >= 4 live ones: moved to the front, no allocation
    EXPECT_EQ(b.data(), storage);
    EXPECT_EQ(b.as_string_view(), "cdef");
    EXPECT_GE(b.capacity(), 12u);
    b.reserve(64);
    EXPECT_GE(b.capacity() - b.size(), 64u);
    EXPECT_EQ(b.as_string_view(), "cdef");
}

TEST(CoreCodecBytesMut, SplitToTakesTheFrontAndLeavesTheRest) {
    BytesMut b("hello world");
    BytesMut front = b.split_to(6);
    EXPECT_EQ(front.as_string_view(), "hello ");
    EXPECT_EQ(b.as_string_view(), "world");
    BytesMut all = b.split_to(b.size());
    EXPECT_EQ(all.as_string_view(), "world");
    EXPECT_TRUE(b.empty());
    BytesMut copy = all;
    EXPECT_EQ(copy, all);
    BytesMut moved = std::move(all);
    EXPECT_TRUE(all.empty());  // NOLINT(bugprone-use-after-move): moved-from is specified empty
    EXPECT_EQ(moved, copy);
}

TEST(CoreCodecBytesMut, PutUintWritesTheLowBytesInEitherOrder) {
    BytesMut b;
    b.put_uint(0x0102030405060708ull, 3);
    b.put_uint_le(0x0102030405060708ull, 3);
    const std::vector<std::byte> want{std::byte{6}, std::byte{7}, std::byte{8},
                                      std::byte{8}, std::byte{7}, std::byte{6}};
    EXPECT_TRUE(std::ranges::equal(b.span(), want));
}

TEST(CoreCodecBytesMut, SpareCapacityTakesAReadInPlace) {
    BytesMut b = BytesMut::with_capacity(8);
    auto spare = b.spare_capacity_mut();
    ASSERT_EQ(spare.size(), 8u);
    std::memcpy(spare.data(), "abc", 3);
    b.advance_mut(3);
    EXPECT_EQ(b.as_string_view(), "abc");
    EXPECT_EQ(b.spare_capacity_mut().size(), 5u);
}

// ---------------------------------------------------------------- LinesCodec

TEST(CoreCodecLines, StripsNewlinesWhereverTheInputIsSplit) {
    const std::string utf8 = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";  // 2-, 3- and 4-byte sequences
    const auto got = decode_every_split(codec::LinesCodec(), "one\ntwo\r\n\n\r\n" + utf8 + "\nlast");
    EXPECT_EQ(got, (std::vector<std::string>{"one", "two", "", "", utf8, "last"}));
}

TEST(CoreCodecLines, DecodeNeedsMoreUntilTheNewlineArrives) {
    codec::LinesCodec c;
    BytesMut buf("partial");
    auto r = c.decode(buf);
    ASSERT_TRUE(r.is_ok());
    EXPECT_FALSE(r->has_value());
    EXPECT_EQ(buf.as_string_view(), "partial") << "an unfinished line stays in the buffer";
    buf.extend_from_slice(" line\nnext");
    r = c.decode(buf);
    ASSERT_TRUE(r.is_ok() && r->has_value());
    EXPECT_EQ(**r, "partial line");
    EXPECT_EQ(buf.as_string_view(), "next");
}

TEST(CoreCodecLines, DecodeEofGivesTheLastUnterminatedLineButNotALoneCarriageReturn) {
    EXPECT_EQ(decode_every_split(codec::LinesCodec(), "a\nlast\r"), (std::vector<std::string>{"a", "last"}));
    EXPECT_EQ(decode_in_chunks(codec::LinesCodec(), "a\n\r", {}), (std::vector<std::string>{"a"}));
    EXPECT_TRUE(decode_in_chunks(codec::LinesCodec(), "", {}).empty());
}

TEST(CoreCodecLines, OverLongLineIsOneErrorThenTheNextLineWhereverTheInputIsSplit) {
    const std::string too_long = "!" + io::error(io::errc::max_line_length_exceeded).message();
    EXPECT_EQ(decode_every_split(codec::LinesCodec(5), "hello\nthis is too long\nok\nabcdefgh"),
              (std::vector<std::string>{"hello", too_long, "ok", too_long}));
}

TEST(CoreCodecLines, MaxLengthCountsTheCarriageReturnAsTokioDoes) {
    const std::string too_long = "!" + io::error(io::errc::max_line_length_exceeded).message();
    EXPECT_EQ(decode_in_chunks(codec::LinesCodec(5), "hello\nhello\r\nok\n", {}),
              (std::vector<std::string>{"hello", too_long, "ok"}));
}

TEST(CoreCodecLines, OverLongLineIsReportedBeforeItEndsAndNeverBuffered) {
    codec::LinesCodec c(16);
    BytesMut buf;
    buf.extend_from_slice(std::string(17, 'x'));
    auto r = c.decode(buf);
    ASSERT_TRUE(r.is_err()) << "17 bytes without a newline are already too long";
    EXPECT_EQ(r.error(), io::errc::max_line_length_exceeded);
    EXPECT_EQ(r.error(), std::errc::value_too_large);
    for (int i = 0; i < 1000; ++i) {  // 1 MB more of the same line
        buf.extend_from_slice(std::string(1000, 'x'));
        auto d = c.decode(buf);
        ASSERT_TRUE(d.is_ok() && !d->has_value());
        EXPECT_TRUE(buf.empty()) << "the rest of an over-long line is dropped as it comes";
    }
    buf.extend_from_slice("xx\nfine\n");
    auto d = c.decode(buf);
    ASSERT_TRUE(d.is_ok() && d->has_value());
    EXPECT_EQ(**d, "fine");
}

TEST(CoreCodecLines, RefusesInvalidUtf8AndGoesOnWithTheNextLine) {
    const std::string bad = "!" + codec::error(codec::errc::invalid_utf8).message();
    // A stray continuation byte, an overlong '/', a surrogate, past U+10FFFF, 0xFF, a truncated sequence.
    EXPECT_EQ(decode_every_split(codec::LinesCodec(),
                                 "\x80\nok1\n\xc0\xaf\n\xed\xa0\x80\n\xf4\x90\x80\x80\n\xff\nok2\n\xe2\x82"),
              (std::vector<std::string>{bad, "ok1", bad, bad, bad, bad, "ok2", bad}));
    EXPECT_EQ(codec::error(codec::errc::invalid_utf8), std::errc::illegal_byte_sequence);
}

TEST(CoreCodecLines, EncodeAppendsTheLineAndANewline) {
    codec::LinesCodec c;
    BytesMut dst("earlier\n");
    ASSERT_TRUE(c.encode("line", dst).is_ok());
    ASSERT_TRUE(c.encode(std::string(), dst).is_ok());
    EXPECT_EQ(dst.as_string_view(), "earlier\nline\n\n");
}

// ---------------------------------------------------------------- LengthDelimitedCodec

TEST(CoreCodecLengthDelimited, DefaultIsAFourByteBigEndianLengthWhereverTheInputIsSplit) {
    const std::string input("\x00\x00\x00\x05hello\x00\x00\x00\x00\x00\x00\x00\x03" "abc", 4 + 5 + 4 + 4 + 3);
    EXPECT_EQ(decode_every_split(codec::LengthDelimitedCodec(), input),
              (std::vector<std::string>{"hello", "", "abc"}));
    codec::LengthDelimitedCodec c;
    BytesMut dst;
    ASSERT_TRUE(c.encode("hello", dst).is_ok());
    ASSERT_TRUE(c.encode("", dst).is_ok());
    ASSERT_TRUE(c.encode(bytes("abc"), dst).is_ok());
    EXPECT_EQ(dst.as_string_view(), input);
}

TEST(CoreCodecLengthDelimited, EncodesAndDecodesEveryFieldLengthInBothByteOrders) {
    const std::string frame(300, 'f');
    for (std::size_t len = 1; len <= 8; ++len) {
        for (bool big : {true, false}) {
            auto b = codec::LengthDelimitedCodec::builder().length_field_length(len);
            if (big) b.big_endian();
            else b.little_endian();
            auto c = b.new_codec();
            const std::string& f = len == 1 ? frame.substr(0, 200) : frame;
            BytesMut dst;
            ASSERT_TRUE(c.encode(f, dst).is_ok()) << len;
            ASSERT_EQ(dst.size(), len + f.size());
            // The field holds the frame's size in the chosen order.
            std::uint64_t field = 0;
            for (std::size_t i = 0; i < len; ++i)
                field |= std::to_integer<std::uint64_t>(dst[big ? len - 1 - i : i]) << (8 * i);
            EXPECT_EQ(field, f.size()) << "field length " << len << (big ? " big" : " little");
            EXPECT_EQ(decode_every_split(c, dst.as_string_view()), (std::vector<std::string>{f}));
        }
    }
}

TEST(CoreCodecLengthDelimited, OffsetAdjustmentAndNumSkipKeepPartOfTheHeader) {
    // Tokio's example: HDR1 | LEN (2 bytes, counts the payload) | HDR2 | payload;
    // the frame is HDR2 and the payload.
    auto c = codec::LengthDelimitedCodec::builder()
                 .length_field_offset(1)
                 .length_field_length(2)
                 .length_adjustment(1)
                 .num_skip(3)
                 .new_codec();
    const std::string input("\xca\x00\x0b\xfeHello world", 4 + 11);
    EXPECT_EQ(decode_every_split(c, input), (std::vector<std::string>{"\xfeHello world"}));
}

TEST(CoreCodecLengthDelimited, NegativeAdjustmentForALengthThatCountsTheHeader) {
    auto c = codec::LengthDelimitedCodec::builder().length_field_length(2).length_adjustment(-2).new_codec();
    const std::string input("\x00\x0dHello world", 2 + 11);
    EXPECT_EQ(decode_every_split(c, input), (std::vector<std::string>{"Hello world"}));
    BytesMut dst;
    ASSERT_TRUE(c.encode("Hello world", dst).is_ok());
    EXPECT_EQ(dst.as_string_view(), input);
}

TEST(CoreCodecLengthDelimited, NumSkipZeroKeepsTheLengthFieldInTheFrame) {
    auto c = codec::LengthDelimitedCodec::builder().length_field_length(2).length_adjustment(2).num_skip(0).new_codec();
    const std::string input("\x00\x0bHello world", 2 + 11);
    EXPECT_EQ(decode_every_split(c, input), (std::vector<std::string>{input}));
}

TEST(CoreCodecLengthDelimited, LengthOverTheMaximumIsFrameTooBigBeforeTheBodyArrives) {
    auto c = codec::LengthDelimitedCodec::builder().max_frame_length(16).new_codec();
    BytesMut ok(std::string_view("\x00\x00\x00\x10", 4));
    ok.extend_from_slice(std::string(16, 'a'));
    auto r = c.decode(ok);
    ASSERT_TRUE(r.is_ok() && r->has_value()) << "exactly the maximum is accepted";
    EXPECT_EQ((**r).size(), 16u);

    BytesMut header(std::string_view("\x00\x00\x00\x11", 4));
    r = c.decode(header);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), codec::errc::frame_too_big);
    EXPECT_EQ(r.error().message(), "frame size too big");
    EXPECT_EQ(r.error(), std::errc::value_too_large);
}

TEST(CoreCodecLengthDelimited, HugeAnnouncedLengthAllocatesNothing) {
    codec::LengthDelimitedCodec c;  // 8 MiB maximum
    EXPECT_EQ(c.max_frame_length(), 8u * 1024 * 1024);
    BytesMut header(std::string_view("\xff\xff\xff\xff", 4));
    const std::size_t before = header.capacity();
    auto r = c.decode(header);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), codec::errc::frame_too_big);
    EXPECT_EQ(header.capacity(), before);
}

TEST(CoreCodecLengthDelimited, EncoderRefusesFramesOverTheMaximumAndWritesNothing) {
    auto c = codec::LengthDelimitedCodec::builder().max_frame_length(4).new_codec();
    BytesMut dst("x");
    auto r = c.encode("12345", dst);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), codec::errc::frame_too_big);
    EXPECT_EQ(dst.as_string_view(), "x");
    EXPECT_TRUE(c.encode("1234", dst).is_ok());
}

TEST(CoreCodecLengthDelimited, MaximumIsLoweredToWhatTheFieldCanHold) {
    auto c = codec::LengthDelimitedCodec::builder().length_field_length(1).new_codec();
    EXPECT_EQ(c.max_frame_length(), 255u);
    BytesMut dst;
    EXPECT_EQ(c.encode(std::string(256, 'a'), dst).error(), codec::errc::frame_too_big);
    EXPECT_TRUE(dst.empty());
    auto adjusted = codec::LengthDelimitedCodec::builder().length_field_length(1).length_adjustment(-2).new_codec();
    EXPECT_EQ(adjusted.max_frame_length(), 253u);
}

TEST(CoreCodecLengthDelimited, LengthBelowANegativeAdjustmentIsAnError) {
    auto c = codec::LengthDelimitedCodec::builder().length_field_length(1).length_adjustment(-2).new_codec();
    BytesMut buf(std::string_view("\x01z", 2));
    auto r = c.decode(buf);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), codec::errc::length_overflow);
}

TEST(CoreCodecLengthDelimited, BuilderRefusesLengthFieldsOutsideOneToEightBytes) {
    EXPECT_THROW(codec::LengthDelimitedCodec::builder().length_field_length(0), std::invalid_argument);
    EXPECT_THROW(codec::LengthDelimitedCodec::builder().length_field_length(9), std::invalid_argument);
    EXPECT_NO_THROW(codec::LengthDelimitedCodec::builder().length_field_length(8));
}

TEST(CoreCodecLengthDelimited, EndOfStreamInsideAFrameIsBytesRemaining) {
    const std::string input("\x00\x00\x00\x05hel", 7);
    EXPECT_EQ(decode_every_split(codec::LengthDelimitedCodec(), input),
              (std::vector<std::string>{"!bytes remaining on stream"}));
}

// ---------------------------------------------------------------- BytesCodec

TEST(CoreCodecBytes, PassesThroughWhatArrivedAndEncodesBytesAsTheyAre) {
    codec::BytesCodec c;
    BytesMut buf;
    auto none = c.decode(buf);
    ASSERT_TRUE(none.is_ok());
    EXPECT_FALSE(none->has_value());
    buf.extend_from_slice("any \n bytes");
    auto r = c.decode(buf);
    ASSERT_TRUE(r.is_ok() && r->has_value());
    EXPECT_EQ((**r).as_string_view(), "any \n bytes");
    EXPECT_TRUE(buf.empty());
    BytesMut dst;
    ASSERT_TRUE(c.encode(bytes(std::string_view("\x00\x01", 2)), dst).is_ok());
    ASSERT_TRUE(c.encode("xy", dst).is_ok());
    EXPECT_EQ(dst.as_string_view(), std::string_view("\x00\x01xy", 4));
}

// ---------------------------------------------------------------- FramedRead

TEST(CoreCodecFramedRead, YieldsEveryBufferedFrameBeforeReadingAgain) {
    test::CountingWaker cw;
    codec::FramedRead fr(ScriptedReader{{"a\nb\nc"}, {""}, {"\n"}}, codec::LinesCodec());
    EXPECT_EQ(next_text(fr, cw), "a");
    EXPECT_EQ(fr.get_ref().reads, 1u);
    EXPECT_EQ(next_text(fr, cw), "b");
    EXPECT_EQ(fr.get_ref().reads, 1u) << "a frame already buffered needs no read";
    EXPECT_EQ(next_text(fr, cw), "<pending>");
    EXPECT_EQ(fr.get_ref().reads, 2u);
    EXPECT_EQ(fr.read_buffer().as_string_view(), "c");
    EXPECT_EQ(next_text(fr, cw), "c");
    EXPECT_EQ(next_text(fr, cw), "<end>");
    EXPECT_EQ(next_text(fr, cw), "<end>") << "polled after its end, it ends again";
}

TEST(CoreCodecFramedRead, CallsDecodeEofAtTheEndThenEnds) {
    test::CountingWaker cw;
    codec::FramedRead fr(ScriptedReader{{"one\ntwo"}}, codec::LinesCodec());
    EXPECT_EQ(next_text(fr, cw), "one");
    EXPECT_EQ(next_text(fr, cw), "two");
    EXPECT_EQ(next_text(fr, cw), "<end>");
}

TEST(CoreCodecFramedRead, EndsAfterAnErrorAndGoesOnWhenPolledAgainAsTokioDoes) {
    test::CountingWaker cw;
    codec::FramedRead fr(ScriptedReader{{"ok\nmuch too long\nnext\n"}}, codec::LinesCodec(4));
    EXPECT_EQ(next_text(fr, cw), "ok");
    EXPECT_EQ(next_text(fr, cw), "!" + io::error(io::errc::max_line_length_exceeded).message());
    EXPECT_EQ(next_text(fr, cw), "<end>");
    EXPECT_EQ(next_text(fr, cw), "next") << "the LinesCodec skipped the rest of the long line";
    EXPECT_EQ(next_text(fr, cw), "<end>");
}

TEST(CoreCodecFramedRead, ReadErrorIsAnItemThenTheEnd) {
    test::CountingWaker cw;
    codec::FramedRead fr(ScriptedReader{{"a\n"}, {"", io::error(std::errc::connection_reset)}},
                         codec::LinesCodec());
    EXPECT_EQ(next_text(fr, cw), "a");
    EXPECT_EQ(next_text(fr, cw), "!" + io::error(std::errc::connection_reset).message());
    EXPECT_EQ(next_text(fr, cw), "<end>");
}

namespace {
/// Counts bytes until 3 have arrived; has no decode_eof of its own.
struct ThreeBytes {
    using Item = std::string;
    using Error = std::error_code;
    Result<std::optional<std::string>, Error> decode(BytesMut& src) {
        if (src.size() < 3) return Ok(std::optional<std::string>());
        return Ok(std::optional<std::string>(std::string(src.split_to(3).as_string_view())));
    }
};
}  // namespace

TEST(CoreCodecFramedRead, DefaultDecodeEofReportsBytesRemainingOnTheStream) {
    static_assert(!codec::DecoderWithEof<ThreeBytes>);
    test::CountingWaker cw;
    codec::FramedRead fr(ScriptedReader{{"abcde"}}, ThreeBytes{});
    EXPECT_EQ(next_text(fr, cw), "abc");
    EXPECT_EQ(next_text(fr, cw), "!bytes remaining on stream");
    EXPECT_EQ(next_text(fr, cw), "<end>");
    codec::FramedRead clean(ScriptedReader{{"abcdef"}}, ThreeBytes{});
    EXPECT_EQ(next_text(clean, cw), "abc");
    EXPECT_EQ(next_text(clean, cw), "def");
    EXPECT_EQ(next_text(clean, cw), "<end>");
}

TEST(CoreCodecFramedRead, TinyBufferReadsAByteAtATimeAndStillDecodesEveryFrame) {
    test::CountingWaker cw;
    const std::string input("\x00\x02hi\x00\x00\x00\x05there", 2 + 2 + 2 + 2 + 5);
    auto c = codec::LengthDelimitedCodec::builder().length_field_length(2).new_codec();
    codec::FramedRead fr(ScriptedReader{{input}}, c, 1);
    EXPECT_EQ(next_text(fr, cw), "hi");
    EXPECT_EQ(next_text(fr, cw), "");
    EXPECT_EQ(next_text(fr, cw), "there");
    EXPECT_EQ(next_text(fr, cw), "<end>");
    EXPECT_GE(fr.get_ref().reads, 4u);
}

TEST(CoreCodecFramedRead, AVeryLongLineNeverGrowsTheBuffer) {
    test::CountingWaker cw;
    codec::FramedRead fr(LongLineReader{1 << 20}, codec::LinesCodec(1000));
    std::vector<std::string> items;
    std::size_t most = 0;
    for (int polls = 0; polls < 10000; ++polls) {
        const std::string t = next_text(fr, cw);
        most = std::max(most, fr.read_buffer().capacity());
        if (t == "<pending>") continue;
        items.push_back(t);
        if (t == "fine") break;
    }
    EXPECT_EQ(fr.get_ref().served, std::size_t{1} << 20);
    EXPECT_EQ(items, (std::vector<std::string>{"!" + io::error(io::errc::max_line_length_exceeded).message(),
                                               "<end>", "fine"}))
        << "one error, the end that follows it, then the next line";
    EXPECT_LE(most, 16u * 1024) << "1 MiB of one line went through a buffer of at most 16 KiB";
}

TEST(CoreCodecFramedRead, HeaderOverTheMaximumEndsTheStreamWithoutReadingTheBody) {
    test::CountingWaker cw;
    const std::string header("\x7f\xff\xff\xff", 4);
    codec::FramedRead fr(ScriptedReader{{header}, {""}, {std::string(1 << 16, 'b')}}, codec::LengthDelimitedCodec());
    EXPECT_EQ(next_text(fr, cw), "!frame size too big");
    EXPECT_EQ(fr.get_ref().reads, 1u);
    EXPECT_LE(fr.read_buffer().capacity(), 8u * 1024);
    EXPECT_EQ(next_text(fr, cw), "<end>");
}

// ---------------------------------------------------------------- FramedWrite

TEST(CoreCodecFramedWrite, SendWritesTheFrameAndFlushes) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    codec::FramedWrite fw(a, codec::LinesCodec());
    auto send = fw.send("hello");
    auto p = test::poll_once(send, cw);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_ok());
    EXPECT_TRUE(fw.write_buffer().empty());
    EXPECT_EQ(drain(b, cw), "hello\n");
}

TEST(CoreCodecFramedWrite, FeedBuffersUpToTheHighWaterMarkThenWaitsForThePeer) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    codec::FramedWrite fw(a, codec::LinesCodec());
    EXPECT_EQ(fw.backpressure_boundary(), 8u * 1024);
    const std::string line(99, 'x');  // 100 bytes a frame
    std::size_t fed = 0;
    for (;;) {
        auto feed = fw.feed(line);
        auto p = test::poll_once(feed, cw);
        if (p.is_pending()) break;
        ASSERT_TRUE(p.value().is_ok());
        ++fed;
        ASSERT_LT(fed, 1000u) << "feed never pushed back";
    }
    EXPECT_EQ(fed, 82u) << "ready while under 8 KiB buffered; the 83rd waits";
    EXPECT_LE(fw.write_buffer().size(), 8u * 1024 + 100);
    EXPECT_EQ(cw.wakes_total(), 0u);
    // The peer reads: the writer is woken and gets everything out.
    std::string got;
    for (int round = 0; got.size() < fed * 100; ++round) {
        ASSERT_LT(round, 1000);
        got += drain(b, cw);
        auto flush = fw.flush();
        (void)test::poll_once(flush, cw);
    }
    EXPECT_GE(cw.wakes_total(), 1u);
    EXPECT_EQ(got, [&] {
        std::string all;
        for (std::size_t i = 0; i < fed; ++i) all += line + "\n";
        return all;
    }());
    EXPECT_TRUE(fw.write_buffer().empty());
}

TEST(CoreCodecFramedWrite, LowerBoundaryPushesBackSooner) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(4);
    codec::FramedWrite fw(a, codec::LinesCodec());
    fw.set_backpressure_boundary(10);
    auto f1 = fw.feed("123456789");  // 10 bytes: at the boundary
    ASSERT_TRUE(test::poll_once(f1, cw).is_ready());
    auto f2 = fw.feed("next");
    EXPECT_TRUE(test::poll_once(f2, cw).is_pending());
    EXPECT_EQ(fw.write_buffer().size(), 6u) << "4 bytes went into the duplex";
    EXPECT_EQ(drain(b, cw), "1234");
}

TEST(CoreCodecFramedWrite, CloseFlushesThenShutsTheWriterDown) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    codec::FramedWrite fw(std::move(a), codec::LengthDelimitedCodec::builder().length_field_length(1).new_codec());
    auto f = fw.feed("ab");
    ASSERT_TRUE(test::poll_once(f, cw).is_ready());
    EXPECT_EQ(fw.write_buffer().size(), 3u) << "feed does not write";
    auto close = fw.close();
    auto p = test::poll_once(close, cw);
    ASSERT_TRUE(p.is_ready() && p.value().is_ok());
    EXPECT_EQ(drain(b, cw), std::string("\x02" "ab"));
    std::vector<std::byte> buf(8);
    auto r = io::read(b, buf);
    EXPECT_EQ(*test::poll_once(r, cw).value(), 0u) << "the peer reads end of stream";
}

TEST(CoreCodecFramedWrite, EncoderErrorReachesTheSenderAndWritesNothing) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    codec::FramedWrite fw(a, codec::LengthDelimitedCodec::builder().max_frame_length(4).new_codec());
    auto send = fw.send("too long");
    auto p = test::poll_once(send, cw);
    ASSERT_TRUE(p.is_ready());
    ASSERT_TRUE(p.value().is_err());
    EXPECT_EQ(p.value().error(), codec::errc::frame_too_big);
    EXPECT_EQ(drain(b, cw), "");
}

TEST(CoreCodecFramedWrite, WriteErrorReachesTheSender) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    { auto gone = std::move(b); }
    codec::FramedWrite fw(a, codec::LinesCodec());
    auto send = fw.send("anyone?");
    auto p = test::poll_once(send, cw);
    ASSERT_TRUE(p.is_ready() && p.value().is_err());
    EXPECT_EQ(p.value().error(), std::errc::broken_pipe);
}

TEST(CoreCodecFramedWrite, DestroyingASendMidFlushLeavesTheFrameForTheNextFlush) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(4);
    codec::FramedWrite fw(a, codec::LinesCodec());
    {
        auto send = fw.send("abcdefgh");
        EXPECT_TRUE(test::poll_once(send, cw).is_pending());
    }
    EXPECT_EQ(fw.write_buffer().as_string_view(), "efgh\n");
    std::string got;
    for (int round = 0; got.size() < 9; ++round) {
        ASSERT_LT(round, 100);
        got += drain(b, cw);
        auto flush = fw.flush();
        (void)test::poll_once(flush, cw);
    }
    EXPECT_EQ(got, "abcdefgh\n");
}

// ---------------------------------------------------------------- Framed

TEST(CoreCodecFramed, LineEchoOverADuplexUnderARuntime) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto [client, server] = io::duplex(32);  // small: both sides wait on each other often
    std::vector<std::string> lines;
    for (int i = 0; i < 500; ++i) lines.push_back("line " + std::to_string(i) + std::string(i % 37, '.'));

    codec::FramedWrite cf(client, codec::LinesCodec());
    auto echo = rt.spawn(UpperEcho(codec::Framed(std::move(server), codec::LinesCodec())));
    auto [sent, answers] =
        rt.block_on(join(FeedAllThenClose(cf, lines), codec::FramedRead(client, codec::LinesCodec()).collect()));
    ASSERT_TRUE(sent.is_ok());
    auto served = rt.block_on(std::move(echo));
    ASSERT_TRUE(served.is_ok() && served->is_ok());
    EXPECT_EQ(**served, lines.size());
    ASSERT_EQ(answers.size(), lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        ASSERT_TRUE(answers[i].is_ok());
        EXPECT_EQ(*answers[i], upper(lines[i]));
    }
}

TEST(CoreCodecFramed, LengthDelimitedRoundTripUnderARuntime) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto [a, b] = io::duplex(100);
    std::vector<BytesMut> frames;
    for (std::size_t n : {0u, 1u, 255u, 256u, 70000u, 3u})
        frames.emplace_back(std::string(n, static_cast<char>('a' + n % 26)));
    auto builder = codec::LengthDelimitedCodec::builder();
    builder.little_endian().length_field_length(3);
    auto writer = builder.new_framed(a);
    auto reader = builder.new_read(std::move(b));
    auto [sent, got] = rt.block_on(join(FeedAllThenClose(writer, frames), std::move(reader).collect()));
    ASSERT_TRUE(sent.is_ok());
    ASSERT_EQ(got.size(), frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
        ASSERT_TRUE(got[i].is_ok());
        EXPECT_EQ(*got[i], frames[i]) << i;
    }
}

TEST(CoreCodecFramed, IntoPartsGivesBackTheStreamAndTheUndecodedBytes) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    codec::Framed f(std::move(a), codec::LinesCodec());
    auto w = io::write_all(b, "hello\nswitch to raw: \x01\x02");
    ASSERT_TRUE(test::poll_once(w, cw).is_ready());
    EXPECT_EQ(next_text(f, cw), "hello");
    auto s = f.feed("queued");
    ASSERT_TRUE(test::poll_once(s, cw).is_ready());

    auto parts = std::move(f).into_parts();
    EXPECT_EQ(parts.read_buf.as_string_view(), "switch to raw: \x01\x02");
    EXPECT_EQ(parts.write_buf.as_string_view(), "queued\n");

    // Same stream, same buffered bytes, another codec.
    auto raw = codec::Framed<io::DuplexStream, codec::BytesCodec>::from_parts(
        {std::move(parts.io), codec::BytesCodec(), std::move(parts.read_buf), std::move(parts.write_buf)});
    EXPECT_EQ(next_text(raw, cw), "switch to raw: \x01\x02") << "decoded from the handed-over bytes";
    auto flush = raw.flush();
    ASSERT_TRUE(test::poll_once(flush, cw).is_ready());
    EXPECT_EQ(drain(b, cw), "queued\n");
    io::DuplexStream back = std::move(raw).into_inner();
    (void)back;
}

TEST(CoreCodecFramed, GetRefAndGetMutReachTheStream) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    codec::Framed f(a, codec::LinesCodec());
    EXPECT_EQ(&f.get_ref(), &a);
    auto w = io::write_all(f.get_mut(), "raw\n");
    ASSERT_TRUE(test::poll_once(w, cw).is_ready());
    EXPECT_EQ(drain(b, cw), "raw\n");
    EXPECT_EQ(f.codec().max_length(), codec::LinesCodec::kDefaultMaxLength);
}

TEST(CoreCodecFramed, DestroyingItMidFrameDropsThePartialFrameAndThePeerSeesTheEnd) {
    test::CountingWaker cw;
    {
        auto [a, b] = io::duplex(64);
        {
            codec::Framed f(std::move(a), codec::LengthDelimitedCodec());
            auto w = io::write_all(b, std::string_view("\x00\x00\x00\x0ahalf", 8));
            ASSERT_TRUE(test::poll_once(w, cw).is_ready());
            EXPECT_EQ(next_text(f, cw), "<pending>") << "half a frame";
            EXPECT_EQ(f.read_buffer().size(), 4u) << "the header was consumed, the body waits";
            EXPECT_FALSE(cw.balanced()) << "the duplex holds the reader's waker";
        }
        std::vector<std::byte> buf(8);
        auto r = io::read(b, buf);
        EXPECT_EQ(*test::poll_once(r, cw).value(), 0u) << "the peer reads end of stream";
        auto w = io::write_all(b, "more");
        auto p = test::poll_once(w, cw);
        ASSERT_TRUE(p.is_ready() && p.value().is_err());
        EXPECT_EQ(p.value().error(), std::errc::broken_pipe);
    }
    EXPECT_TRUE(cw.balanced()) << "no waker outlives the Framed and its duplex";
}
