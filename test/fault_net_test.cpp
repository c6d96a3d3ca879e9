// Sockets under injected faults (test/support/fault_plan.hpp): a transfer of
// a few MB survives EINTR and EAGAIN storms and short reads and writes
// intact; a reset in the middle of a stream reaches the reader and the
// writer as an error value; an accept loop out of file descriptors backs off
// instead of spinning and serves again once descriptors are back. The only
// durations here are hang guards and the length of the EMFILE window.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <pollen.hpp>

#include "support/fault_plan.hpp"

using namespace pollen;
using namespace pollen::net;
using namespace std::chrono_literals;
using Call = test::FaultPlan::Call;

namespace {

constexpr auto kHangGuard = 60s;

Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }

template <class T>
T unwrap(io::Result<T> r) {
    EXPECT_TRUE(r) << r.error().message();
    return std::move(r).unwrap();
}

std::vector<std::byte> pseudo_random(std::size_t n, std::uint64_t seed) {
    std::vector<std::byte> out(n);
    for (auto& b : out) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        b = static_cast<std::byte>(seed >> 24);
    }
    return out;
}

/// FNV-1a, 64 bits: order-sensitive, so a reordered or dropped chunk shows.
std::uint64_t checksum(std::span<const std::byte> b) {
    std::uint64_t h = 1469598103934665603ull;
    for (std::byte x : b) h = (h ^ static_cast<std::uint8_t>(x)) * 1099511628211ull;
    return h;
}

/// A connected pair over IPv4 loopback: {client, accepted}.
std::pair<TcpStream, TcpStream> connected_pair(Runtime& rt, TcpListener& listener) {
    SocketAddr addr = unwrap(listener.local_addr());
    auto accept = rt.spawn(listener.accept());
    TcpStream client = unwrap(rt.block_on(TcpStream::connect(addr)));
    TcpStream server = unwrap(rt.block_on(std::move(accept)).unwrap()).first;
    return {std::move(client), std::move(server)};
}

TcpListener bind_loopback(Runtime& rt) {
    return unwrap(rt.block_on(lazy([] { return TcpListener::bind(SocketAddr(IpAddr::localhost_v4(), 0)); })));
}

/// write_all, then a half-close so the peer's read_to_end ends.
class SendAll : public FutureExt<SendAll> {
public:
    using Output = io::Result<void>;
    SendAll(TcpStream& s, std::span<const std::byte> data) : s_(s), data_(data) {}

    Poll<Output> poll(Context& cx) {
        while (off_ < data_.size()) {
            auto p = s_.poll_write(cx, data_.subspan(off_));
            if (p.is_pending()) return pending;
            auto r = p.take();
            if (!r) return ready(Output(Err(r.error())));
            off_ += *r;
        }
        return s_.poll_shutdown(cx);
    }

private:
    TcpStream& s_;
    std::span<const std::byte> data_;
    std::size_t off_ = 0;
};

/// The server side of one connection: reads five bytes, writes them back.
class EchoFive : public FutureExt<EchoFive> {
public:
    using Output = void;
    explicit EchoFive(TcpStream s, std::atomic<int>& served) : s_(std::move(s)), served_(served) {}

    Poll<void> poll(Context& cx) {
        while (read_ < 5) {
            auto p = s_.poll_read(cx, std::span(buf_).subspan(read_));
            if (p.is_pending()) return pending;
            auto r = p.take();
            if (!r || *r == 0) return ready();
            read_ += *r;
        }
        if (written_ == 0) served_.fetch_add(1);  // before the echo, which the client waits for
        while (written_ < 5) {
            auto p = s_.poll_write(cx, std::span(buf_).subspan(written_, 5 - written_));
            if (p.is_pending()) return pending;
            auto r = p.take();
            if (!r) return ready();
            written_ += *r;
        }
        return ready();
    }

private:
    TcpStream s_;
    std::atomic<int>& served_;
    std::byte buf_[5];
    std::size_t read_ = 0, written_ = 0;
};

/// Accepts `n` connections, spawning an EchoFive for each; Err on the first
/// accept error (a descriptor shortage is not one: accept waits it out).
class AcceptLoop : public FutureExt<AcceptLoop> {
public:
    using Output = io::Result<void>;
    AcceptLoop(TcpListener& l, int n, std::atomic<int>& served) : l_(l), n_(n), served_(served) {}

    Poll<Output> poll(Context& cx) {
        while (accepted_ < n_) {
            auto p = l_.poll_accept(cx);
            if (p.is_pending()) return pending;
            auto r = p.take();
            if (!r) return ready(Output(Err(r.error())));
            spawn(EchoFive(std::move(r->first), served_));
            ++accepted_;
        }
        return ready(Output(Ok()));
    }

private:
    TcpListener& l_;
    int n_, accepted_ = 0;
    std::atomic<int>& served_;
};

/// Runs `fut` on `rt` under the hang guard; fails the test if the guard fires.
template <class F>
output_t<F> within_guard(Runtime& rt, F fut) {
    auto r = rt.block_on(time::timeout(kHangGuard, std::move(fut)));
    EXPECT_TRUE(r.is_ok()) << "hung past the guard";
    if (!r.is_ok()) std::abort();  // the futures borrow locals that are about to go
    return std::move(r).unwrap();
}

}  // namespace

TEST(FaultNet, TransferArrivesIntactThroughInterruptAndWouldBlockStormsAndShortIo) {
    test::FaultPlan plan;
    test::FaultPlan::Installed on(plan);  // before any socket: the plan learns each registration
    const auto up = pseudo_random(3 << 20, 0x9E3779B97F4A7C15ull);
    const auto down = pseudo_random(2 << 20, 0xD1B54A32D192ED03ull);
    std::vector<std::byte> got_up, got_down;
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        auto [client, server] = connected_pair(rt, listener);
        plan.interrupt(Call::Recv, 3).would_block(Call::Recv, 2).cap(Call::Recv, 1000);
        plan.interrupt(Call::Send, 2).would_block(Call::Send, 1).cap(Call::Send, 777);
        plan.interrupt(Call::Wait, 1);

        // Both directions at once, each side reading and writing from two tasks.
        auto a = rt.spawn(SendAll(client, up));
        auto b = rt.spawn(io::read_to_end(server, got_up));
        auto c = rt.spawn(SendAll(server, down));
        auto d = rt.spawn(io::read_to_end(client, got_down));
        auto all = within_guard(rt, join(std::move(a), std::move(b), std::move(c), std::move(d)));
        auto& [ra, rb, rc, rd] = all;
        EXPECT_TRUE(std::move(ra).unwrap().is_ok());
        EXPECT_TRUE(std::move(rb).unwrap().is_ok());
        EXPECT_TRUE(std::move(rc).unwrap().is_ok());
        EXPECT_TRUE(std::move(rd).unwrap().is_ok());
    }
    ASSERT_EQ(got_up.size(), up.size());
    ASSERT_EQ(got_down.size(), down.size());
    EXPECT_EQ(checksum(got_up), checksum(up));
    EXPECT_EQ(checksum(got_down), checksum(down));
    // The storms really happened: every recv and send met its EINTRs and EAGAINs.
    EXPECT_GT(plan.injected(Call::Recv), 3u * (up.size() + down.size()) / 1000);
    EXPECT_GT(plan.injected(Call::Send), 2u * (up.size() + down.size()) / 777);
    EXPECT_GT(plan.injected(Call::Wait), 0u);
}

TEST(FaultNet, VectoredWritesSurviveShortWrites) {
    test::FaultPlan plan;
    test::FaultPlan::Installed on(plan);  // before any socket: the plan learns each registration
    const auto a = pseudo_random(300'000, 1), b = pseudo_random(200'000, 2);
    std::vector<std::byte> got;
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        auto [client, server] = connected_pair(rt, listener);
        plan.cap(Call::Send, 1500).interrupt(Call::Send, 1).would_block(Call::Send, 1);

        auto reader = rt.spawn(io::read_to_end(server, got));
        // write_all over two slices by hand: each poll_write_vectored may take
        // fewer bytes than the first slice holds.
        std::size_t done = 0;
        auto writer = poll_fn([&](Context& cx) -> Poll<io::Result<void>> {
            while (done < a.size() + b.size()) {
                std::span<const std::byte> first = done < a.size() ? std::span(a).subspan(done) : std::span<const std::byte>();
                std::span<const std::byte> second =
                    done < a.size() ? std::span<const std::byte>(b) : std::span(b).subspan(done - a.size());
                std::span<const std::byte> slices[2] = {first, second};
                auto p = client.poll_write_vectored(cx, io::IoSlices(slices));
                if (p.is_pending()) return pending;
                auto r = p.take();
                if (!r) return ready(io::Result<void>(Err(r.error())));
                done += *r;
            }
            return client.poll_shutdown(cx);
        });
        EXPECT_TRUE(within_guard(rt, std::move(writer)).is_ok());
        EXPECT_TRUE(within_guard(rt, std::move(reader)).unwrap().is_ok());
    }
    std::vector<std::byte> both(a);
    both.insert(both.end(), b.begin(), b.end());
    ASSERT_EQ(got.size(), both.size());
    EXPECT_EQ(checksum(got), checksum(both));
}

TEST(FaultNet, ResetMidStreamReachesTheReaderAsAnErrorValue) {
    test::FaultPlan plan;
    test::FaultPlan::Installed on(plan);  // before any socket: the plan learns each registration
    const auto data = pseudo_random(1 << 20, 7);
    std::vector<std::byte> got;
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        auto [client_stream, server] = connected_pair(rt, listener);
        std::optional<TcpStream> client(std::move(client_stream));
        plan.fail_after(Call::Recv, client->as_raw_fd(), 100'000, ECONNRESET).cap(Call::Recv, 4096);

        auto writer = rt.spawn(SendAll(server, data));
        io::Result<std::size_t> read = within_guard(rt, io::read_to_end(*client, got));
        ASSERT_TRUE(read.is_err());
        EXPECT_EQ(read.error(), std::errc::connection_reset);
        // The bytes before the reset are kept, and are the stream's first bytes.
        EXPECT_EQ(got.size(), 100'000u);
        EXPECT_EQ(checksum(got), checksum(std::span(data).first(got.size())));
        // And reading again keeps reporting it, without hanging.
        std::byte one[1];
        auto again = within_guard(rt, io::read(*client, one));
        EXPECT_TRUE(again.is_err());
        client.reset();  // close: the writer sees its peer go
        (void)within_guard(rt, std::move(writer));
    }
}

TEST(FaultNet, ResetMidStreamReachesTheWriterAsAnErrorValue) {
    test::FaultPlan plan;
    test::FaultPlan::Installed on(plan);  // before any socket: the plan learns each registration
    const auto data = pseudo_random(1 << 20, 8);
    std::vector<std::byte> got;
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        auto [client, server_stream] = connected_pair(rt, listener);
        std::optional<TcpStream> server(std::move(server_stream));
        plan.fail_after(Call::Send, server->as_raw_fd(), 200'000, ECONNRESET).cap(Call::Send, 8192);

        auto reader = rt.spawn(io::read_to_end(client, got));
        io::Result<void> wrote = within_guard(rt, io::write_all(*server, data));
        ASSERT_TRUE(wrote.is_err());
        EXPECT_EQ(wrote.error(), std::errc::connection_reset);
        // Closing the writer after its error lets the reader end: what arrived is the stream's start.
        server.reset();
        io::Result<std::size_t> read = within_guard(rt, std::move(reader)).unwrap();
        EXPECT_TRUE(read.is_ok());
        EXPECT_EQ(got.size(), 200'000u);
        EXPECT_EQ(checksum(got), checksum(std::span(data).first(got.size())));
    }
}

TEST(FaultNet, AcceptLoopBacksOffDuringEmfileAndServesAfterwards) {
    test::FaultPlan plan;
    test::FaultPlan::Installed on(plan);  // before any socket: the plan learns each registration
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());

    std::atomic<int> served{0};
    auto server = rt.spawn(AcceptLoop(listener, 3, served));
    auto round_trip = [&](std::string_view msg) {
        TcpStream c = unwrap(within_guard(rt, TcpStream::connect(addr)));
        EXPECT_TRUE(within_guard(rt, io::write_all(c, msg)).is_ok());
        std::vector<std::byte> back(msg.size());
        EXPECT_TRUE(within_guard(rt, io::read_exact(c, back)).is_ok());
        return std::string(reinterpret_cast<const char*>(back.data()), back.size());
    };
    // One connection served before the shortage.
    EXPECT_EQ(round_trip("hello"), "hello");

    // The shortage: every accept fails with EMFILE while a client waits in the backlog.
    plan.fail(Call::Accept, EMFILE);
    const std::uint64_t before = plan.calls(Call::Accept);
    auto waiting = rt.spawn(TcpStream::connect(addr));
    std::this_thread::sleep_for(1500ms);
    const std::uint64_t during = plan.calls(Call::Accept) - before;
    plan.fail(Call::Accept, 0);

    // Backing off (10 ms doubling to 1 s) makes a handful of attempts; a spin would make millions.
    EXPECT_GE(during, 1u);
    EXPECT_LT(during, 1000u);
    EXPECT_EQ(plan.injected(Call::Accept), during);

    // Descriptors are back: the client that waited is served, and so is a new one.
    TcpStream patient = unwrap(within_guard(rt, std::move(waiting)).unwrap());
    EXPECT_TRUE(within_guard(rt, io::write_all(patient, "again")).is_ok());
    std::vector<std::byte> echoed(5);
    EXPECT_TRUE(within_guard(rt, io::read_exact(patient, echoed)).is_ok());
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(echoed.data()), echoed.size()), "again");
    EXPECT_EQ(round_trip("world"), "world");
    EXPECT_TRUE(within_guard(rt, std::move(server)).unwrap().is_ok());  // no accept error on the way
    EXPECT_EQ(served.load(), 3);
}
