// io::duplex (transfer, backpressure, EOF and broken pipe on shutdown and
// drop, separate read/write waker slots, the cooperative budget, waker
// balance of cancelled futures, threads) and io::split (two tasks on the
// halves of one stream, unsplit).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(std::span<const std::byte> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

static_assert(io::AsyncRead<io::DuplexStream>);
static_assert(io::AsyncWriteVectored<io::DuplexStream>);
static_assert(io::AsyncRead<io::ReadHalf<io::DuplexStream>>);
static_assert(!io::AsyncWrite<io::ReadHalf<io::DuplexStream>>);
static_assert(io::AsyncWriteVectored<io::WriteHalf<io::DuplexStream>>);
static_assert(!io::AsyncRead<io::WriteHalf<io::DuplexStream>>);

/// One poll of poll_read / poll_write with a waker of `cw`.
Poll<io::Result<std::size_t>> try_read(io::DuplexStream& s, test::CountingWaker& cw, std::span<std::byte> buf) {
    Waker w = cw.waker();
    Context cx(w);
    return s.poll_read(cx, buf);
}
Poll<io::Result<std::size_t>> try_write(io::DuplexStream& s, test::CountingWaker& cw, std::string_view data) {
    Waker w = cw.waker();
    Context cx(w);
    return s.poll_write(cx, bytes(data));
}

/// Deterministic bytes: message i of a run.
std::vector<std::byte> pattern(std::size_t n, std::uint32_t seed) {
    std::vector<std::byte> v(n);
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& b : v) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<std::byte>(x >> 24);
    }
    return v;
}

}  // namespace

TEST(CoreIoDuplex, BytesWrittenAtOneEndAreReadAtTheOtherBothWays) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    std::vector<std::byte> buf(16);
    ASSERT_EQ(*try_write(a, cw, "ping").value(), 4u);
    ASSERT_EQ(*try_write(b, cw, "pong!").value(), 5u);
    auto rb = try_read(b, cw, buf);
    EXPECT_EQ(text(std::span(buf).first(*rb.value())), "ping");
    auto ra = try_read(a, cw, buf);
    EXPECT_EQ(text(std::span(buf).first(*ra.value())), "pong!");
    EXPECT_EQ(cw.wakes_total(), 0u);
}

TEST(CoreIoDuplex, ReadIsPendingUntilTheWriterWakesIt) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    std::vector<std::byte> buf(8);
    EXPECT_TRUE(try_read(b, cw, buf).is_pending());
    EXPECT_EQ(cw.wakes_total(), 0u);
    test::CountingWaker other;
    (void)try_write(a, other, "x");
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_EQ(*try_read(b, cw, buf).value(), 1u);
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreIoDuplex, FullBufferMakesWritesWaitUntilThePeerReads) {
    test::CountingWaker writer, reader;
    auto [a, b] = io::duplex(4);
    EXPECT_EQ(*try_write(a, writer, "abcdef").value(), 4u) << "accepts what fits";
    EXPECT_TRUE(try_write(a, writer, "ef").is_pending()) << "backpressure";
    std::vector<std::byte> two(2);
    EXPECT_EQ(*try_read(b, reader, two).value(), 2u);
    EXPECT_EQ(writer.wakes_total(), 1u) << "room wakes the writer";
    EXPECT_EQ(*try_write(a, writer, "ef").value(), 2u);
    std::vector<std::byte> all(8);
    auto r = try_read(b, reader, all);
    EXPECT_EQ(text(std::span(all).first(*r.value())), "cdef");
}

TEST(CoreIoDuplex, ShutdownGivesEofAfterTheBufferedBytes) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    ASSERT_TRUE(try_write(a, cw, "last").is_ready());
    auto sd = io::shutdown(a);
    EXPECT_TRUE(test::poll_once(sd, cw).value().is_ok());
    std::vector<std::byte> buf(16);
    EXPECT_EQ(*try_read(b, cw, buf).value(), 4u) << "buffered bytes first";
    EXPECT_EQ(*try_read(b, cw, buf).value(), 0u) << "then end of stream";
    EXPECT_EQ(try_write(a, cw, "more").value().error(), std::errc::broken_pipe);
    EXPECT_EQ(*try_write(b, cw, "reply").value(), 5u) << "the other direction stays open";
    EXPECT_EQ(*try_read(a, cw, buf).value(), 5u);
}

TEST(CoreIoDuplex, DroppingAnEndWakesAndEndsItsPeer) {
    test::CountingWaker reader, writer;
    auto pair = io::duplex(2);
    io::DuplexStream b = std::move(pair.second);
    {
        io::DuplexStream a = std::move(pair.first);
        std::vector<std::byte> buf(4);
        EXPECT_TRUE(try_read(b, reader, buf).is_pending());
        EXPECT_EQ(*try_write(b, writer, "xy").value(), 2u);
        EXPECT_TRUE(try_write(b, writer, "z").is_pending());
    }
    EXPECT_EQ(reader.wakes_total(), 1u);
    EXPECT_EQ(writer.wakes_total(), 1u);
    std::vector<std::byte> buf(4);
    EXPECT_EQ(*try_read(b, reader, buf).value(), 0u);
    EXPECT_EQ(try_write(b, writer, "z").value().error(), std::errc::broken_pipe);
    EXPECT_TRUE(reader.balanced());
    EXPECT_TRUE(writer.balanced());
}

TEST(CoreIoDuplex, EmptyWriteToAClosedPeerIsBrokenPipe) {
    // Tokio's DuplexStream checks "closed" before "nothing to write".
    test::CountingWaker cw;
    auto pair = io::duplex(8);
    io::DuplexStream a = std::move(pair.first);
    EXPECT_EQ(*try_write(a, cw, "").value(), 0u) << "open: an empty write is Ok(0)";
    { io::DuplexStream gone = std::move(pair.second); }
    EXPECT_EQ(try_write(a, cw, "").value().error(), std::errc::broken_pipe);
    std::span<const std::byte> nothing[] = {bytes(""), bytes("")};
    auto v = io::write_vectored(a, nothing);
    EXPECT_EQ(test::poll_once(v, cw).value().error(), std::errc::broken_pipe) << "the vectored write too";
    auto all = io::write_all(a, std::string_view("x"));
    EXPECT_EQ(test::poll_once(all, cw).value().error(), std::errc::broken_pipe);
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreIoDuplex, EmptyWriteAfterOwnShutdownIsBrokenPipe) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(8);
    auto sd = io::shutdown(a);
    ASSERT_TRUE(test::poll_once(sd, cw).value().is_ok());
    EXPECT_EQ(try_write(a, cw, "").value().error(), std::errc::broken_pipe);
    std::vector<std::byte> buf(4);
    EXPECT_EQ(*try_read(b, cw, buf).value(), 0u);
}

TEST(CoreIoDuplex, ReadAndWriteOfOneEndWaitInSeparateSlots) {
    test::CountingWaker reader, writer, peer;
    auto [a, b] = io::duplex(1);
    std::vector<std::byte> buf(4);
    EXPECT_TRUE(try_read(a, reader, buf).is_pending());
    EXPECT_EQ(*try_write(a, writer, "1").value(), 1u);
    EXPECT_TRUE(try_write(a, writer, "2").is_pending());
    // Both wait on `a`; each event must reach only its own waiter.
    (void)try_write(b, peer, "x");
    EXPECT_EQ(reader.wakes_total(), 1u);
    EXPECT_EQ(writer.wakes_total(), 0u);
    (void)try_read(b, peer, buf);
    EXPECT_EQ(writer.wakes_total(), 1u);
    EXPECT_EQ(reader.wakes_total(), 1u);
}

TEST(CoreIoDuplex, VectoredWriteGathersUpToTheLimit) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(5);
    std::span<const std::byte> parts[] = {bytes("ab"), bytes(""), bytes("cd"), bytes("ef")};
    auto w = io::write_vectored(a, parts);
    EXPECT_EQ(*test::poll_once(w, cw).value(), 5u);
    std::vector<std::byte> buf(8);
    auto r = try_read(b, cw, buf);
    EXPECT_EQ(text(std::span(buf).first(*r.value())), "abcde");
}

TEST(CoreIoDuplex, DrawsOnTheCooperativeBudget) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(64);
    ASSERT_TRUE(try_write(a, cw, "abc").is_ready());
    std::vector<std::byte> one(1);
    coop::BudgetScope scope(1);
    EXPECT_TRUE(try_read(b, cw, one).is_ready());
    EXPECT_TRUE(try_read(b, cw, one).is_pending()) << "budget spent: yield although bytes wait";
    EXPECT_EQ(cw.wakes_total(), 1u) << "and the task is told to come back";
}

TEST(CoreIoDuplex, PendingFutureDestroyedMidwayReleasesItsWakerWithTheStream) {
    test::CountingWaker cw;
    {
        auto [a, b] = io::duplex(8);
        std::vector<std::byte> buf(4);
        {
            auto r = io::read_exact(b, buf);
            EXPECT_TRUE(test::poll_once(r, cw).is_pending());
            auto w = io::write_all(a, std::string_view("0123456789ABCDEF"));
            EXPECT_TRUE(test::poll_once(w, cw).is_pending());
        }
        std::vector<std::byte> rest(16);
        auto r2 = io::read(b, rest);
        EXPECT_EQ(*test::poll_once(r2, cw).value(), 8u) << "the cancelled write_all wrote a prefix";
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreIoDuplex, EndsWorkFromTasksOnDifferentThreads) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [a, b] = io::duplex(16);
    const auto msg = pattern(256 * 1024, 1);
    std::vector<std::byte> got(msg.size());
    auto w = rt.spawn(io::write_all(a, msg));
    auto r = rt.spawn(io::read_exact(b, got));
    auto [wr, rr] = rt.block_on(join(std::move(w), std::move(r)));
    ASSERT_TRUE(wr.is_ok() && wr->is_ok());
    ASSERT_TRUE(rr.is_ok() && rr->is_ok());
    EXPECT_EQ(got, msg);
}

TEST(CoreIoSplit, HalvesAreUsedByTwoTasksWithoutStealingWakeups) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [client, server] = io::duplex(64);  // small: both halves wait often
    auto [rd, wr] = io::split(std::move(client));
    EXPECT_TRUE(rd.is_pair_of(wr));
    const auto msg = pattern(1 << 20, 7);
    std::vector<std::byte> echoed;

    auto writer = rt.spawn(io::write_all(wr, msg).and_then([&wr](auto...) { return io::shutdown(wr); }));
    auto reader = rt.spawn(io::read_to_end(rd, echoed));
    auto echo = rt.spawn(io::copy(server, server).and_then([&server](std::uint64_t n) {
        return io::shutdown(server).map_ok([n] { return n; });
    }));
    auto [w, r, e] = rt.block_on(join(std::move(writer), std::move(reader), std::move(echo)));
    ASSERT_TRUE(w.is_ok() && w->is_ok());
    ASSERT_TRUE(r.is_ok() && r->is_ok());
    ASSERT_TRUE(e.is_ok() && e->is_ok());
    EXPECT_EQ(**e, msg.size());
    EXPECT_EQ(**r, msg.size());
    EXPECT_EQ(echoed, msg);
}

TEST(CoreIoSplit, UnsplitGivesTheStreamBack) {
    test::CountingWaker cw;
    auto [a, b] = io::duplex(16);
    auto [rd, wr] = io::split(std::move(a));
    auto [rd2, wr2] = io::split(std::move(b));
    EXPECT_FALSE(rd.is_pair_of(wr2));
    EXPECT_FALSE(wr.is_pair_of(rd2));
    io::DuplexStream again = std::move(rd).unsplit(std::move(wr));
    EXPECT_EQ(*try_write(again, cw, "hi").value(), 2u);
    std::vector<std::byte> buf(4);
    auto r = io::read(rd2, buf);
    EXPECT_EQ(*test::poll_once(r, cw).value(), 2u);
}
