// io::copy and io::copy_bidirectional: totals, flushing, errors, a 100 MiB
// copy through a duplex between two tasks of a 4-worker runtime (checked by
// a checksum), a proxy between two duplexes, and cancellation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/sanitizer.hpp"

using namespace pollen;

namespace {

std::string text(std::span<const std::byte> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

/// Plays chunks ("" is a Pending step that wakes at once, "!" an error), then end of stream.
class ChunkReader {
public:
    ChunkReader(std::initializer_list<std::string> chunks) : chunks_(chunks) {}
    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        if (chunks_.empty()) return ready(Ok(std::size_t{0}));
        if (chunks_.front().empty()) {
            chunks_.pop_front();
            cx.waker().wake_by_ref();
            return pending;
        }
        if (chunks_.front() == "!") {
            chunks_.pop_front();
            return ready(Err(io::error(std::errc::connection_reset)));
        }
        std::string& c = chunks_.front();
        const std::size_t n = std::min(c.size(), buf.size());
        // A plain loop: GCC 12 warns falsely (-Wrestrict) on string copies here.
        for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<std::byte>(c[i]);
        c.erase(0, n);
        if (c.empty()) chunks_.pop_front();
        return ready(Ok(n));
    }

private:
    std::deque<std::string> chunks_;
};

/// Accepts `per_write` bytes a call (Pending first every other call when
/// `stutter`), remembers them, counts flushes; accepts 0 once `room` is used.
class SinkWriter {
public:
    explicit SinkWriter(std::size_t per_write = 1 << 20, bool stutter = false)
        : per_write_(per_write), stutter_(stutter) {}
    Poll<io::Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf) {
        if (stutter_ && (flip_ = !flip_)) {
            cx.waker().wake_by_ref();
            return pending;
        }
        const std::size_t n = std::min({buf.size(), per_write_, room});
        data.append(text(buf.first(n)));
        room -= n;
        flushed = false;
        return ready(Ok(n));
    }
    Poll<io::Result<void>> poll_flush(Context&) {
        ++flushes;
        flushed = true;
        return ready(Ok());
    }
    Poll<io::Result<void>> poll_shutdown(Context&) { return ready(Ok()); }

    std::string data;
    int flushes = 0;
    bool flushed = false;
    std::size_t room = static_cast<std::size_t>(-1);

private:
    std::size_t per_write_;
    bool stutter_;
    bool flip_ = false;
};

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

/// FNV-1a, 64 bits: order-sensitive, so a reordered or repeated chunk shows.
struct Checksum {
    std::uint64_t h = 1469598103934665603ull;
    void add(std::span<const std::byte> b) {
        for (std::byte x : b) h = (h ^ static_cast<std::uint8_t>(x)) * 1099511628211ull;
    }
};

/// `total` pseudo-random bytes (xorshift64), then end of stream; keeps the
/// checksum of what it produced. Reads are capped at odd sizes so chunk
/// boundaries wander.
class NoiseReader {
public:
    explicit NoiseReader(std::uint64_t total) : left_(total) {}
    Poll<io::Result<std::size_t>> poll_read(Context&, std::span<std::byte> buf) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>({left_, buf.size(), 7777}));
        for (std::size_t i = 0; i < n; i += 8) {
            x_ ^= x_ << 13;
            x_ ^= x_ >> 7;
            x_ ^= x_ << 17;
            std::memcpy(buf.data() + i, &x_, std::min<std::size_t>(8, n - i));
        }
        sum.add(buf.first(n));
        left_ -= n;
        return ready(Ok(n));
    }
    Checksum sum;

private:
    std::uint64_t left_;
    std::uint64_t x_ = 0x9E3779B97F4A7C15ull;
};

/// Takes every byte, keeping only their checksum and count.
class ChecksumWriter {
public:
    Poll<io::Result<std::size_t>> poll_write(Context&, std::span<const std::byte> buf) {
        sum.add(buf);
        bytes += buf.size();
        return ready(Ok(buf.size()));
    }
    Poll<io::Result<void>> poll_flush(Context&) { return ready(Ok()); }
    Poll<io::Result<void>> poll_shutdown(Context&) { return ready(Ok()); }
    Checksum sum;
    std::uint64_t bytes = 0;
};

/// Writes `data` into a duplex that has room for it.
void put(io::DuplexStream& s, std::string_view data) {
    auto w = io::write_all(s, data);
    ASSERT_TRUE(test::poll_once(w).is_ready());
}

}  // namespace

TEST(CoreIoCopy, CopiesEverythingThroughPartialWritesAndFlushesAtTheEnd) {
    ChunkReader r{"hello ", "", "partial ", "", "", "world"};
    SinkWriter w(1, /*stutter=*/true);
    auto fut = io::copy(r, w);
    auto n = drive(fut);
    ASSERT_TRUE(n.is_ok());
    EXPECT_EQ(*n, 19u);
    EXPECT_EQ(w.data, "hello partial world");
    EXPECT_TRUE(w.flushed) << "the last thing copy does is flush";
}

TEST(CoreIoCopy, FlushesWhenTheReaderStallsWithEverythingWritten) {
    auto [a, b] = io::duplex(64);
    SinkWriter w;
    test::CountingWaker cw;
    auto fut = io::copy(b, w);
    put(a, "abc");
    EXPECT_TRUE(test::poll_once(fut, cw).is_pending());
    EXPECT_EQ(w.data, "abc");
    EXPECT_TRUE(w.flushed) << "a buffering writer must not sit on bytes while the reader waits";
    const int flushes = w.flushes;
    EXPECT_TRUE(test::poll_once(fut, cw).is_pending());
    EXPECT_EQ(w.flushes, flushes) << "no new bytes, no new flush";
}

TEST(CoreIoCopy, ReadErrorStopsTheCopy) {
    ChunkReader r{"abc", "!", "def"};
    SinkWriter w;
    auto fut = io::copy(r, w);
    auto res = drive(fut);
    ASSERT_TRUE(res.is_err());
    EXPECT_EQ(res.error(), std::errc::connection_reset);
}

TEST(CoreIoCopy, WriterAcceptingNothingIsWriteZero) {
    ChunkReader r{"abcdef"};
    SinkWriter w;
    w.room = 2;
    auto fut = io::copy(r, w);
    auto res = drive(fut);
    ASSERT_TRUE(res.is_err());
    EXPECT_EQ(res.error(), io::errc::write_zero);
}

TEST(CoreIoCopy, EmptyReaderCopiesNothing) {
    ChunkReader r{};
    SinkWriter w;
    auto fut = io::copy(r, w);
    EXPECT_EQ(*drive(fut), 0u);
}

TEST(CoreIoCopy, HundredMegabytesThroughADuplexBetweenTwoTasks) {
    const std::uint64_t kTotal = pollen::test::stress_scaled(100ull << 20);
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [a, b] = io::duplex(64 * 1024);
    NoiseReader src(kTotal);
    ChecksumWriter dst;
    auto producer = rt.spawn(io::copy(src, a).and_then([&a](std::uint64_t n) {
        return io::shutdown(a).map_ok([n] { return n; });
    }));
    auto consumer = rt.spawn(io::copy(b, dst));
    auto [sent, received] = rt.block_on(join(std::move(producer), std::move(consumer)));
    ASSERT_TRUE(sent.is_ok() && sent->is_ok());
    ASSERT_TRUE(received.is_ok() && received->is_ok()) << received->error().message();
    EXPECT_EQ(**sent, kTotal);
    EXPECT_EQ(**received, kTotal);
    EXPECT_EQ(dst.bytes, kTotal);
    EXPECT_EQ(dst.sum.h, src.sum.h);
}

TEST(CoreIoCopy, DestroyedMidwayLeavesBalancedWakers) {
    test::CountingWaker cw;
    {
        auto [a, b] = io::duplex(4);
        auto [c, d] = io::duplex(4);
        {
            auto fut = io::copy(b, c);  // c's peer never reads: stuck writing
            put(a, "abcd");
            EXPECT_TRUE(test::poll_once(fut, cw).is_pending());
            EXPECT_TRUE(test::poll_once(fut, cw).is_pending());
        }
        EXPECT_GT(cw.live(), 0) << "wakers are registered in the duplexes";
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreIoCopyBidirectional, ProxiesBothWaysAndPassesEndOfStreamOn) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [client, proxy_front] = io::duplex(32);
    auto [proxy_back, server] = io::duplex(32);
    const std::string request(10000, 'q');
    const std::string response(25000, 'r');
    std::string got_request, got_response;

    auto proxy = rt.spawn(io::copy_bidirectional(proxy_front, proxy_back));
    auto srv = rt.spawn(io::read_to_string(server, got_request).and_then([&](std::size_t) {
        return io::write_all(server, response).and_then([&] { return io::shutdown(server); });
    }));
    auto cli = rt.spawn(io::write_all(client, request).and_then([&] { return io::shutdown(client); }).and_then([&] {
        return io::read_to_string(client, got_response);
    }));
    auto [p, s, c] = rt.block_on(join(std::move(proxy), std::move(srv), std::move(cli)));
    ASSERT_TRUE(p.is_ok() && p->is_ok());
    ASSERT_TRUE(s.is_ok() && s->is_ok());
    ASSERT_TRUE(c.is_ok() && c->is_ok());
    EXPECT_EQ(**p, (std::pair<std::uint64_t, std::uint64_t>{request.size(), response.size()}));
    EXPECT_EQ(got_request, request) << "the server saw EOF after the request";
    EXPECT_EQ(got_response, response) << "the client saw EOF after the response";
}

TEST(CoreIoCopyBidirectional, ErrorOfOneDirectionEndsIt) {
    auto [client, front] = io::duplex(64);
    auto pair = io::duplex(64);
    io::DuplexStream back = std::move(pair.first);
    { io::DuplexStream gone = std::move(pair.second); }  // the server went away
    auto w = io::write_all(client, std::string_view("hello"));
    EXPECT_TRUE(drive(w).is_ok());
    auto fut = io::copy_bidirectional(front, back);
    auto res = drive(fut);
    ASSERT_TRUE(res.is_err());
    EXPECT_EQ(res.error(), std::errc::broken_pipe);
}

TEST(CoreIoCopyBidirectional, DestroyedMidwayLeavesBalancedWakers) {
    test::CountingWaker cw;
    {
        auto [a, b] = io::duplex(8);
        auto [c, d] = io::duplex(8);
        {
            auto fut = io::copy_bidirectional(b, c);
            EXPECT_TRUE(test::poll_once(fut, cw).is_pending());
        }
    }
    EXPECT_TRUE(cw.balanced());
}
