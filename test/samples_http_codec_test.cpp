// http_server's RequestCodec (samples/http_server/request_codec.hpp) on its
// own, without sockets: requests split at every byte, several pipelined in
// one buffer, bodies dropped as they arrive (also when they look like
// requests), the head and body limits (431, 413), bad requests, the end of
// the stream inside a request, the codec under a FramedRead (read errors,
// one read bringing several requests), and the parser's incremental work: a
// head arriving a byte at a time is scanned once, not once per read.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/codec/bytes_mut.hpp>
#include <pollen/core/codec/decoder.hpp>
#include <pollen/core/codec/framed_read.hpp>

#include "../samples/http_server/request_codec.hpp"

using http_server::Limits;
using http_server::Request;
using http_server::RequestCodec;
using pollen::codec::BytesMut;

namespace {

static_assert(pollen::codec::Decoder<RequestCodec>);

/// A request as the tests compare it: "METHOD target", then " close" when the
/// connection must close after it and " body=N" for a Content-Length.
std::string describe(const Request& r) {
    std::string s = r.method + " " + r.target;
    if (!r.keep_alive) s += " close";
    if (r.content_length > 0) s += " body=" + std::to_string(r.content_length);
    return s;
}

/// One decode: the request described, "!<status>" for an error, nullopt for "needs more".
std::optional<std::string> decode_once(RequestCodec& codec, BytesMut& buf, bool eof = false) {
    auto r = eof ? pollen::codec::decode_eof(codec, buf) : codec.decode(buf);
    if (r.is_err()) return "!" + std::to_string(r.error().status);
    if (!r->has_value()) return std::nullopt;
    return describe(**r);
}

/// Everything the codec yields for `input` fed in the chunks that `cuts`
/// (increasing offsets) delimit, decoding after each chunk until it needs
/// more (or fails: the stream ends there), then at end of stream. Checks
/// on the way that the buffer never holds more than a head can take.
std::vector<std::string> decode_in_chunks(std::string_view input, const std::vector<std::size_t>& cuts,
                                          Limits limits = {}) {
    RequestCodec codec(limits);
    BytesMut buf;
    std::vector<std::string> out;
    std::size_t from = 0;
    auto feed_to = [&](std::size_t to) {
        buf.extend_from_slice(input.substr(from, to - from));
        from = to;
        while (auto frame = decode_once(codec, buf)) {
            out.push_back(*frame);
            if (frame->starts_with("!")) return false;
        }
        EXPECT_LT(buf.size(), limits.max_head) << "the buffer grew past a head";
        return true;
    };
    for (std::size_t cut : cuts)
        if (!feed_to(cut)) return out;
    if (!feed_to(input.size())) return out;
    while (auto frame = decode_once(codec, buf, /*eof=*/true)) {
        out.push_back(*frame);
        if (frame->starts_with("!")) break;
    }
    return out;
}

/// The frames for the whole input at once, which every split into two
/// chunks and one byte at a time must give too.
std::vector<std::string> decode_every_split(std::string_view input, Limits limits = {}) {
    const auto whole = decode_in_chunks(input, {}, limits);
    for (std::size_t i = 1; i < input.size(); ++i)
        EXPECT_EQ(decode_in_chunks(input, {i}, limits), whole) << "split at byte " << i;
    std::vector<std::size_t> each;
    for (std::size_t i = 1; i < input.size(); ++i) each.push_back(i);
    EXPECT_EQ(decode_in_chunks(input, each, limits), whole) << "one byte at a time";
    return whole;
}

std::string get(std::string_view target, std::string_view extra = "") {
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) + "\r\n";
}

/// Plays its chunks, one per read, then the end of the stream (or `error`).
struct ChunkReader {
    std::deque<std::string> chunks;
    std::error_code error{};

    pollen::Poll<pollen::io::Result<std::size_t>> poll_read(pollen::Context&, std::span<std::byte> buf) {
        if (chunks.empty()) {
            if (error) return pollen::ready(pollen::Err(error));
            return pollen::ready(pollen::Ok(std::size_t{0}));
        }
        std::string& c = chunks.front();
        const std::size_t n = std::min(c.size(), buf.size());
        std::memcpy(buf.data(), c.data(), n);
        c.erase(0, n);
        if (c.empty()) chunks.pop_front();
        return pollen::ready(pollen::Ok(n));
    }
};

/// The next item of a FramedRead whose reader never waits: described, "!<status>",
/// "!io:<message>" for a read error, or "<end>".
template <class S>
std::string next_item(S& requests) {
    pollen::Context cx(pollen::noop_waker_ref());
    auto p = requests.poll_next(cx);
    if (p.is_pending()) return "<pending>";
    auto item = p.take();
    if (!item) return "<end>";
    if (item->is_err()) {
        const auto& e = item->error();
        return e.status == 0 ? "!io:" + e.io.message() : "!" + std::to_string(e.status);
    }
    return describe(item->value());
}

}  // namespace

TEST(HttpRequestCodec, RequestSplitAtEveryByteIsDecodedOnceWhole) {
    EXPECT_EQ(decode_every_split(get("/a%20b?q=1", "Accept: */*\r\n")), std::vector<std::string>{"GET /a%20b?q=1"});
    EXPECT_EQ(decode_every_split("HEAD /x HTTP/1.0\nConnection: keep-alive\n\n"), std::vector<std::string>{"HEAD /x"})
        << "bare LFs, and HTTP/1.0 kept alive on request";
}

TEST(HttpRequestCodec, NeedsMoreUntilTheBlankLineAndConsumesExactlyTheHead) {
    RequestCodec codec;
    BytesMut buf(std::string_view("GET /a HTTP/1.1\r\nHost: x\r\n"));
    EXPECT_EQ(decode_once(codec, buf), std::nullopt);
    EXPECT_EQ(buf.size(), 26u) << "nothing consumed while the head is incomplete";
    buf.extend_from_slice(std::string_view("\r\nGET /b"));
    EXPECT_EQ(decode_once(codec, buf), "GET /a");
    EXPECT_EQ(buf.as_string_view(), "GET /b") << "the next request's first bytes stay";
}

// A slow client's head, a byte per read, is scanned once: the parser keeps
// its place between reads instead of starting over from the first byte
// (which here would look at about 16 million bytes, n²/2).
TEST(HttpRequestCodec, AHeadArrivingAByteAtATimeIsScannedOnceNotAtEveryRead) {
    std::string headers;
    for (int i = 0; i < 60; ++i) headers += "X-Header-" + std::to_string(i) + ": " + std::string(80, 'v') + "\r\n";
    const std::string input = "\r\n" + get("/slow", headers) + get("/next");
    ASSERT_GT(input.size(), 5000u);
    RequestCodec codec;
    BytesMut buf;
    std::vector<std::string> frames;
    for (char ch : input) {
        buf.extend_from_slice(std::string_view(&ch, 1));
        while (auto frame = decode_once(codec, buf)) frames.push_back(*frame);
    }
    EXPECT_EQ(frames, (std::vector<std::string>{"GET /slow", "GET /next"}));
    EXPECT_LE(codec.bytes_scanned(), input.size()) << "some bytes were looked at again at a later read";
    EXPECT_GE(codec.bytes_scanned(), input.size() - 1) << "the counter misses bytes the parser looked at";

    // The pure function over the whole buffer agrees with the byte-at-a-time parser.
    http_server::RequestParser whole;
    auto outcome = whole.parse(input);
    ASSERT_TRUE(std::holds_alternative<Request>(outcome));
    EXPECT_EQ(std::get<Request>(outcome).headers.size(), 61u);
    EXPECT_EQ(whole.bytes_scanned(), input.size() - get("/next").size());
}

TEST(HttpRequestCodec, PipelinedRequestsInOneBufferComeOutInOrder) {
    std::string input = get("/1") + "HEAD /2 HTTP/1.1\r\nHost: x\r\n\r\n" + "DELETE /3 HTTP/1.1\r\nHost: x\r\n\r\n" +
                        get("/4", "Connection: close\r\n");
    RequestCodec codec;
    BytesMut buf(input);
    EXPECT_EQ(decode_once(codec, buf), "GET /1");
    EXPECT_EQ(decode_once(codec, buf), "HEAD /2");
    EXPECT_EQ(decode_once(codec, buf), "DELETE /3") << "what a method means is the connection's business";
    EXPECT_EQ(decode_once(codec, buf), "GET /4 close");
    EXPECT_EQ(decode_once(codec, buf), std::nullopt);
    EXPECT_TRUE(buf.empty());
    EXPECT_FALSE(codec.in_body());
}

TEST(HttpRequestCodec, BodiesAreDroppedWhereverTheInputIsSplit) {
    // The second body holds what looks like a request: it is body, never a head.
    const std::string smuggled = get("/smuggled");
    const std::string length = std::to_string(smuggled.size());
    std::string input = get("/1", "Content-Length: 5\r\n") + "hello" + get("/2", "Content-Length: " + length + "\r\n") +
                        smuggled + get("/3");
    EXPECT_EQ(decode_every_split(input), (std::vector<std::string>{"GET /1 body=5", "GET /2 body=" + length, "GET /3"}));
}

TEST(HttpRequestCodec, BodyIsDroppedAsItArrivesSoTheBufferStaysEmpty) {
    RequestCodec codec;
    BytesMut buf(get("/up", "Content-Length: 100000\r\n") + std::string(1000, 'b'));
    EXPECT_EQ(decode_once(codec, buf), "GET /up body=100000");
    EXPECT_TRUE(buf.empty()) << "what came of the body went with the head";
    EXPECT_TRUE(codec.in_body());
    for (int i = 0; i < 99; ++i) {
        buf.extend_from_slice(std::string(1000, 'b'));
        EXPECT_EQ(decode_once(codec, buf), std::nullopt);
        EXPECT_TRUE(buf.empty());
    }
    EXPECT_FALSE(codec.in_body());
    buf.extend_from_slice(get("/next"));
    EXPECT_EQ(decode_once(codec, buf), "GET /next");
}

TEST(HttpRequestCodec, OverLongHeadIs431AsSoonAsTheLimitIsReached) {
    Limits limits;
    RequestCodec codec(limits);
    // No line end ever comes: refused at the limit, not waited for.
    BytesMut buf("GET /" + std::string(limits.max_head - 6, 'a'));
    EXPECT_EQ(decode_once(codec, buf), std::nullopt) << "one byte under the limit";
    buf.extend_from_slice(std::string_view("a"));
    EXPECT_EQ(decode_once(codec, buf), "!431");

    // A whole head, over the limit, in one read.
    RequestCodec fresh(limits);
    BytesMut big(get("/", "X-Big: " + std::string(9000, 'a') + "\r\n"));
    EXPECT_EQ(decode_once(fresh, big), "!431");

    // A smaller limit, wherever the input is split: the request before the
    // over-long one is still answered.
    Limits small;
    small.max_head = 64;
    EXPECT_EQ(decode_every_split(get("/ok") + get("/" + std::string(80, 'a')), small),
              (std::vector<std::string>{"GET /ok", "!431"}));
}

TEST(HttpRequestCodec, BodyOverTheLimitIs413BeforeAnyOfItArrives) {
    RequestCodec codec;
    BytesMut buf(get("/", "Content-Length: 2000000\r\n"));
    EXPECT_EQ(decode_once(codec, buf), "!413");
    EXPECT_FALSE(codec.in_body()) << "nothing is skipped for a refused request";
}

TEST(HttpRequestCodec, BadRequestsAreErrorsWithTheParsersStatus) {
    EXPECT_EQ(decode_every_split("NONSENSE\r\n"), std::vector<std::string>{"!400"}) << "judged once the line is whole";
    EXPECT_EQ(decode_every_split("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), std::vector<std::string>{"!505"});
    EXPECT_EQ(decode_every_split(get("/", "Transfer-Encoding: chunked\r\n")), std::vector<std::string>{"!501"});
    EXPECT_EQ(decode_every_split(get("/ok") + "GET / HTTP/1.1\r\n\r\n"), (std::vector<std::string>{"GET /ok", "!400"}))
        << "a request without Host after a good one";
}

TEST(HttpRequestCodec, EndOfStreamInsideAHeadOrABodyEndsWithoutAnError) {
    EXPECT_EQ(decode_in_chunks("GET /half HTTP/1.1\r\nHo", {}), std::vector<std::string>{});
    EXPECT_EQ(decode_in_chunks(get("/", "Content-Length: 10\r\n") + "abc", {}), std::vector<std::string>{"GET / body=10"});
    RequestCodec codec;
    BytesMut buf(std::string_view("GET /half"));
    auto r = pollen::codec::decode_eof(codec, buf);
    ASSERT_TRUE(r.is_ok()) << "not the default 'bytes remaining on stream'";
    EXPECT_FALSE(r->has_value());
}

TEST(HttpRequestCodec, FramedReadYieldsEveryRequestOfOneReadThenEnds) {
    pollen::codec::FramedRead requests(ChunkReader{{get("/1") + get("/2") + "GET /3 HT", "TP/1.1\r\nHost: x\r\n\r\n"}},
                                       RequestCodec());
    EXPECT_EQ(next_item(requests), "GET /1");
    EXPECT_EQ(next_item(requests), "GET /2");
    EXPECT_EQ(requests.read_buffer().as_string_view(), "GET /3 HT") << "the second request came from the first read";
    EXPECT_EQ(next_item(requests), "GET /3");
    EXPECT_EQ(next_item(requests), "<end>");
}

TEST(HttpRequestCodec, FramedReadGivesABadRequestsStatusAndThenEnds) {
    pollen::codec::FramedRead requests(ChunkReader{{get("/1") + "BAD REQUEST LINE HERE\r\n" + get("/never")}},
                                       RequestCodec());
    EXPECT_EQ(next_item(requests), "GET /1");
    EXPECT_EQ(next_item(requests), "!400");
    EXPECT_EQ(next_item(requests), "<end>");
}

TEST(HttpRequestCodec, FramedReadGivesAReadErrorAsAnIoErrorWithoutAStatus) {
    const auto reset = std::make_error_code(std::errc::connection_reset);
    pollen::codec::FramedRead requests(ChunkReader{{get("/1") + "GET /2"}, reset}, RequestCodec());
    EXPECT_EQ(next_item(requests), "GET /1");
    EXPECT_EQ(next_item(requests), "!io:" + reset.message());
    EXPECT_EQ(next_item(requests), "<end>");
}
