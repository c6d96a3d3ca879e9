// TcpListener / TcpStream on loopback, on multi-thread runtimes: echo round
// trips over IPv4 and IPv6, a 100 MB transfer checked by checksum, half-close,
// peer close and peer reset, 5,000 concurrent connections, split halves in two
// tasks, and the cooperative budget. Nothing here asserts on durations.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/sanitizer.hpp"

using namespace pollen;
using namespace pollen::net;

namespace {

// Polls `expr`; returns Pending from the enclosing poll if it is, else binds
// the output to `var`. Keeps the hand-written state machines below readable.
#define NET_READY_OR_RETURN(var, expr)       \
    auto var##_poll = (expr);                \
    if (var##_poll.is_pending()) return pending; \
    auto var = var##_poll.take()

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(const std::vector<std::byte>& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(4).enable_all().build(); }

template <class T>
T unwrap(io::Result<T> r) {
    EXPECT_TRUE(r) << r.error().message();
    return std::move(r).unwrap();
}

TcpListener bind_loopback(Runtime& rt, IpAddr ip = IpAddr::localhost_v4(), int backlog = 1024) {
    return unwrap(rt.block_on(lazy([ip, backlog] { return TcpListener::bind(SocketAddr(ip, 0), backlog); })));
}

/// Server side of one connection: echoes every byte until the peer's EOF,
/// then half-closes. `copy(s, s)` reads and writes the same stream.
template <class S>
class EchoConn : public FutureExt<EchoConn<S>> {
public:
    using Output = io::Result<void>;
    explicit EchoConn(S s) : s_(std::make_unique<S>(std::move(s))) {}

    Poll<Output> poll(Context& cx) {
        if (!copied_) {
            if (!copy_) copy_.emplace(*s_, *s_);
            NET_READY_OR_RETURN(n, copy_->poll(cx));
            if (!n) return ready(Output(Err(n.error())));
            copied_ = true;
        }
        return s_->poll_shutdown(cx);
    }

private:
    std::unique_ptr<S> s_;
    std::optional<io::Copy<S, S>> copy_;
    bool copied_ = false;
};

/// Accepts `n` connections, and only once all are open starts an echo task for
/// each: every client is connected at the same time.
class AcceptAllThenEcho : public FutureExt<AcceptAllThenEcho> {
public:
    using Output = io::Result<std::size_t>;
    AcceptAllThenEcho(TcpListener& l, std::size_t n) : listener_(l), n_(n) {}

    Poll<Output> poll(Context& cx) {
        while (conns_.size() < n_) {
            NET_READY_OR_RETURN(r, listener_.poll_accept(cx));
            if (!r) return ready(Output(Err(r.error())));
            conns_.push_back(std::move(r->first));
        }
        for (auto& c : conns_) spawn(EchoConn<TcpStream>(std::move(c)));
        return ready(Output(Ok(conns_.size())));
    }

private:
    TcpListener& listener_;
    std::size_t n_;
    std::vector<TcpStream> conns_;
};

/// Client: connects, sends `msg`, half-closes, then reads until EOF.
template <class S>
class EchoClient : public FutureExt<EchoClient<S>> {
public:
    using Output = io::Result<std::string>;
    EchoClient(Connect<S> connect, std::string msg) : connect_(std::move(connect)), msg_(std::move(msg)) {}

    Poll<Output> poll(Context& cx) {
        for (;;) {
            switch (step_) {
                case Step::Connect: {
                    NET_READY_OR_RETURN(r, connect_.poll(cx));
                    if (!r) return ready(Output(Err(r.error())));
                    s_ = std::make_unique<S>(std::move(*r));
                    write_.emplace(*s_, bytes(msg_));
                    step_ = Step::Write;
                    break;
                }
                case Step::Write: {
                    NET_READY_OR_RETURN(r, write_->poll(cx));
                    if (!r) return ready(Output(Err(r.error())));
                    step_ = Step::Shutdown;
                    break;
                }
                case Step::Shutdown: {
                    NET_READY_OR_RETURN(r, s_->poll_shutdown(cx));
                    if (!r) return ready(Output(Err(r.error())));
                    read_.emplace(*s_, got_);
                    step_ = Step::Read;
                    break;
                }
                case Step::Read: {
                    NET_READY_OR_RETURN(r, read_->poll(cx));
                    if (!r) return ready(Output(Err(r.error())));
                    return ready(Output(Ok(text(got_))));
                }
            }
        }
    }

private:
    enum class Step { Connect, Write, Shutdown, Read };
    Step step_ = Step::Connect;
    Connect<S> connect_;
    std::string msg_;
    std::unique_ptr<S> s_;
    std::optional<io::WriteAll<S>> write_;
    std::vector<std::byte> got_;
    std::optional<io::ReadToEnd<S>> read_;
};

/// FNV-1a, 64 bits: order-sensitive, so a reordered or dropped chunk shows.
struct Checksum {
    std::uint64_t h = 1469598103934665603ull;
    void update(std::span<const std::byte> b) {
        for (std::byte x : b) h = (h ^ static_cast<std::uint8_t>(x)) * 1099511628211ull;
    }
};

struct Tally {
    std::uint64_t bytes = 0;
    std::uint64_t sum = 0;
};

/// Writes `total` pseudo-random bytes in 64 KiB chunks, then half-closes.
template <class W>
class Source : public FutureExt<Source<W>> {
public:
    using Output = io::Result<Tally>;
    Source(W w, std::uint64_t total) : w_(std::move(w)), total_(total), buf_(64 * 1024) {}

    Poll<Output> poll(Context& cx) {
        while (sent_ < total_ || off_ < len_) {
            if (off_ == len_) refill();
            NET_READY_OR_RETURN(r, w_.poll_write(cx, std::span(buf_).subspan(off_, len_ - off_)));
            if (!r) return ready(Output(Err(r.error())));
            off_ += *r;
        }
        NET_READY_OR_RETURN(r, w_.poll_shutdown(cx));
        if (!r) return ready(Output(Err(r.error())));
        return ready(Output(Ok(Tally{sent_, sum_.h})));
    }

private:
    void refill() {
        len_ = static_cast<std::size_t>(std::min<std::uint64_t>(buf_.size(), total_ - sent_));
        for (std::size_t i = 0; i < len_; ++i) {
            rng_ ^= rng_ << 13, rng_ ^= rng_ >> 7, rng_ ^= rng_ << 17;
            buf_[i] = static_cast<std::byte>(rng_ >> 24);
        }
        sum_.update(std::span(buf_).first(len_));
        sent_ += len_;
        off_ = 0;
    }
    W w_;
    std::uint64_t total_, sent_ = 0, rng_ = 0x9E3779B97F4A7C15ull;
    std::vector<std::byte> buf_;
    std::size_t off_ = 0, len_ = 0;
    Checksum sum_;
};

/// Reads until EOF, counting and checksumming.
template <class R>
class ChecksumSink : public FutureExt<ChecksumSink<R>> {
public:
    using Output = io::Result<Tally>;
    explicit ChecksumSink(R r) : r_(std::move(r)), buf_(64 * 1024) {}

    Poll<Output> poll(Context& cx) {
        for (;;) {
            NET_READY_OR_RETURN(r, r_.poll_read(cx, buf_));
            if (!r) return ready(Output(Err(r.error())));
            if (*r == 0) return ready(Output(Ok(Tally{count_, sum_.h})));
            sum_.update(std::span(buf_).first(*r));
            count_ += *r;
        }
    }

private:
    R r_;
    std::vector<std::byte> buf_;
    std::uint64_t count_ = 0;
    Checksum sum_;
};

/// Accepts one connection (on a spawned task: the test thread only blocks).
auto accept_one(TcpListener& l) {
    return l.accept().map([](auto r) { return unwrap(std::move(r)).first; });
}

bool ipv6_loopback_available(Runtime& rt) {
    auto r = rt.block_on(lazy([] { return TcpListener::bind(SocketAddr(IpAddr::localhost_v6(), 0)); }));
    return r.is_ok();
}

}  // namespace

TEST(TcpStream, EchoesAMessageOverIpv4Loopback) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());
    EXPECT_TRUE(addr.ip().is_loopback());
    EXPECT_NE(addr.port(), 0);

    auto server = rt.spawn(listener.accept().then([](auto r) {
        auto [stream, peer] = unwrap(std::move(r));
        EXPECT_EQ(unwrap(stream.peer_addr()), peer);
        return EchoConn<TcpStream>(std::move(stream));
    }));
    auto reply = rt.block_on(rt.spawn(EchoClient<TcpStream>(TcpStream::connect(addr), "hello, pollen")));
    EXPECT_EQ(unwrap(std::move(reply).unwrap()), "hello, pollen");
    EXPECT_TRUE(rt.block_on(std::move(server)).unwrap().is_ok());
}

TEST(TcpStream, EchoesAMessageOverIpv6Loopback) {
    Runtime rt = make_runtime();
    if (!ipv6_loopback_available(rt)) GTEST_SKIP() << "no IPv6 loopback on this machine";
    TcpListener listener = bind_loopback(rt, IpAddr::localhost_v6());
    SocketAddr addr = unwrap(listener.local_addr());
    EXPECT_TRUE(addr.is_ipv6());
    EXPECT_EQ(addr.to_string(), "[::1]:" + std::to_string(addr.port()));

    auto server = rt.spawn(accept_one(listener).then([](TcpStream s) { return EchoConn<TcpStream>(std::move(s)); }));
    auto reply = rt.block_on(rt.spawn(EchoClient<TcpStream>(TcpStream::connect(addr), "over v6")));
    EXPECT_EQ(unwrap(std::move(reply).unwrap()), "over v6");
    EXPECT_TRUE(rt.block_on(std::move(server)).unwrap().is_ok());
}

TEST(TcpStream, ConnectToAClosedPortIsConnectionRefused) {
    Runtime rt = make_runtime();
    SocketAddr addr;
    {
        TcpListener l = bind_loopback(rt);
        addr = unwrap(l.local_addr());
    }  // closed: nothing listens there now
    auto r = rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap();
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::connection_refused);
}

TEST(TcpStream, TransfersOneHundredMegabytesIntactBetweenTwoTasks) {
    const std::uint64_t kTotal = pollen::test::stress_scaled(100ull * 1024 * 1024);
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());

    auto reader = rt.spawn(accept_one(listener).then([](TcpStream s) { return ChecksumSink<TcpStream>(std::move(s)); }));
    auto writer = rt.spawn(TcpStream::connect(addr).then([](io::Result<TcpStream> s) {
        return Source<TcpStream>(unwrap(std::move(s)), kTotal);
    }));
    Tally sent = unwrap(rt.block_on(std::move(writer)).unwrap());
    Tally got = unwrap(rt.block_on(std::move(reader)).unwrap());
    EXPECT_EQ(sent.bytes, kTotal);
    EXPECT_EQ(got.bytes, kTotal);
    EXPECT_EQ(got.sum, sent.sum);
}

TEST(TcpStream, HalfCloseLetsThePeerReadEofAndStillWriteBack) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());

    // The server reads until EOF (the client's shutdown), then answers with
    // what it read, reversed: it can only do so if its write side is still open.
    auto server = rt.spawn(accept_one(listener).then([](TcpStream s) {
        struct ReadAllThenAnswer : FutureExt<ReadAllThenAnswer> {
            using Output = io::Result<void>;
            std::unique_ptr<TcpStream> s;
            std::vector<std::byte> got;
            std::string answer;
            std::optional<io::ReadToEnd<TcpStream>> read;
            std::optional<io::WriteAll<TcpStream>> write;
            Poll<Output> poll(Context& cx) {
                if (!write) {
                    if (!read) read.emplace(*s, got);
                    NET_READY_OR_RETURN(n, read->poll(cx));
                    if (!n) return ready(Output(Err(n.error())));
                    std::string t = text(got);
                    answer.assign(t.rbegin(), t.rend());
                    write.emplace(*s, bytes(answer));
                }
                NET_READY_OR_RETURN(w, write->poll(cx));
                if (!w) return ready(Output(Err(w.error())));
                return s->poll_shutdown(cx);
            }
        };
        return ReadAllThenAnswer{{}, std::make_unique<TcpStream>(std::move(s)), {}, {}, {}, {}};
    }));
    auto reply = rt.block_on(rt.spawn(EchoClient<TcpStream>(TcpStream::connect(addr), "ping")));
    EXPECT_EQ(unwrap(std::move(reply).unwrap()), "gnip");
    EXPECT_TRUE(rt.block_on(std::move(server)).unwrap().is_ok());
}

TEST(TcpStream, ReadsEofWhenThePeerClosesAndKeepsReportingIt) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());

    auto server = rt.spawn(accept_one(listener).map([](TcpStream) {}));  // accepts, then closes
    TcpStream client = unwrap(rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap());
    rt.block_on(std::move(server)).unwrap();

    std::byte buf[16];
    // The reactor reports the hang-up as read readiness; it is final, so
    // every later read sees EOF too instead of waiting forever.
    for (int i = 0; i < 3; ++i) EXPECT_EQ(unwrap(rt.block_on(io::read(client, buf))), 0u);
    EXPECT_TRUE(rt.block_on(client.readable()).is_ok());

    // Writing to a closed peer: the first write may still be accepted (the
    // peer answers it with a reset); soon one fails, as a value, no SIGPIPE.
    io::Result<std::size_t> w = Ok(std::size_t{0});
    for (int i = 0; i < 100 && w.is_ok(); ++i) w = rt.block_on(io::write(client, bytes("after close")));
    ASSERT_TRUE(w.is_err());
    EXPECT_TRUE(w.error() == std::errc::broken_pipe || w.error() == std::errc::connection_reset)
        << w.error().message();
}

TEST(TcpStream, PeerResetIsAnErrorValueNotACrash) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());

    // The server's end stays open until the client has seen its connect
    // succeed: a reset before that would (rightly) fail the connect instead.
    auto server = rt.spawn(accept_one(listener));
    TcpStream client = unwrap(rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap());
    {
        TcpStream accepted = rt.block_on(std::move(server)).unwrap();
        // SO_LINGER 0: closing sends RST instead of FIN.
        EXPECT_TRUE(accepted.set_linger(std::chrono::seconds(0)).is_ok());
    }

    std::byte buf[16];
    auto r = rt.block_on(io::read(client, buf));
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::connection_reset);
    auto w = rt.block_on(io::write(client, bytes("into the void")));
    ASSERT_TRUE(w.is_err());
    EXPECT_EQ(w.error(), std::errc::broken_pipe);
}

TEST(TcpListener, ServesFiveThousandConcurrentConnections) {
    constexpr std::size_t kConns = 5000;
    rlimit lim{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);
    const rlim_t need = 2 * kConns + 256;  // both ends of each connection, plus slack
    if (lim.rlim_cur < need) {
        if (lim.rlim_max < need) GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << lim.rlim_max << " < " << need;
        rlimit raised = lim;
        raised.rlim_cur = need;
        ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &raised), 0);
    }

    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt, IpAddr::localhost_v4(), 4096);
    SocketAddr addr = unwrap(listener.local_addr());
    auto server = rt.spawn(AcceptAllThenEcho(listener, kConns));

    std::vector<JoinHandle<io::Result<std::string>>> clients;
    clients.reserve(kConns);
    for (std::size_t i = 0; i < kConns; ++i)
        clients.push_back(rt.spawn(EchoClient<TcpStream>(TcpStream::connect(addr), "client " + std::to_string(i))));
    EXPECT_EQ(unwrap(rt.block_on(std::move(server)).unwrap()), kConns);
    std::size_t ok = 0;
    for (std::size_t i = 0; i < kConns; ++i) {
        auto r = rt.block_on(std::move(clients[i])).unwrap();
        if (r.is_ok() && *r == "client " + std::to_string(i)) ++ok;
        else ADD_FAILURE() << "client " << i << ": " << (r.is_ok() ? *r : r.error().message());
    }
    EXPECT_EQ(ok, kConns);
}

TEST(TcpStream, SplitHalvesReadAndWriteFromTwoTasksAtOnce) {
    // More than the socket buffers hold both ways: writer and reader must run
    // concurrently or the echo would deadlock.
    constexpr std::uint64_t kTotal = 16ull * 1024 * 1024;
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());
    auto server = rt.spawn(accept_one(listener).then([](TcpStream s) { return EchoConn<TcpStream>(std::move(s)); }));

    TcpStream client = unwrap(rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap());
    auto [read_half, write_half] = std::move(client).into_split();
    EXPECT_TRUE(read_half.is_pair_of(write_half));
    EXPECT_EQ(unwrap(read_half.peer_addr()), addr);

    // Dropping the write half when done shuts it down: the echo ends, then the read.
    auto writer = rt.spawn(Source<tcp::OwnedWriteHalf>(std::move(write_half), kTotal));
    auto reader = rt.spawn(ChecksumSink<tcp::OwnedReadHalf>(std::move(read_half)));
    Tally sent = unwrap(rt.block_on(std::move(writer)).unwrap());
    Tally got = unwrap(rt.block_on(std::move(reader)).unwrap());
    EXPECT_EQ(got.bytes, kTotal);
    EXPECT_EQ(got.sum, sent.sum);
    EXPECT_TRUE(rt.block_on(std::move(server)).unwrap().is_ok());
}

TEST(TcpStream, ReuniteGivesBackTheStreamOnlyForItsOwnHalves) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());
    auto a = unwrap(rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap());
    auto b = unwrap(rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap());
    SocketAddr a_local = unwrap(a.local_addr());

    auto [ar, aw] = std::move(a).into_split();
    auto [br, bw] = std::move(b).into_split();
    auto mixed = std::move(ar).reunite(std::move(bw));
    ASSERT_TRUE(mixed.is_err());
    auto [ar2, bw2] = std::move(mixed).error();
    auto whole = std::move(ar2).reunite(std::move(aw));
    ASSERT_TRUE(whole.is_ok());
    EXPECT_EQ(unwrap(whole->local_addr()), a_local);
    // The reunited stream was not shut down by its write half: it still writes.
    EXPECT_TRUE(rt.block_on(io::write(*whole, bytes("still open"))).is_ok());
}

TEST(TcpStream, VectoredWriteSendsTheBuffersInOrder) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());
    auto server = rt.spawn(accept_one(listener).then([](TcpStream s) { return ChecksumSink<TcpStream>(std::move(s)); }));
    TcpStream client = unwrap(rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap());

    std::span<const std::byte> parts[] = {bytes("one "), bytes(""), bytes("two "), bytes("three")};
    auto n = rt.block_on(poll_fn([&](Context& cx) { return client.poll_write_vectored(cx, parts); }));
    EXPECT_EQ(unwrap(n), 13u);  // a fresh socket's buffer takes all 13 bytes at once
    EXPECT_TRUE(rt.block_on(io::shutdown(client)).is_ok());
    Tally got = unwrap(rt.block_on(std::move(server)).unwrap());
    Checksum expect;
    expect.update(bytes("one two three"));
    EXPECT_EQ(got.bytes, 13u);
    EXPECT_EQ(got.sum, expect.h);
}

TEST(TcpStream, OptionsAndAddressesReadBackWhatWasSet) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());
    auto server = rt.spawn(accept_one(listener));
    TcpStream client = unwrap(rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap());
    TcpStream accepted = rt.block_on(std::move(server)).unwrap();

    EXPECT_EQ(unwrap(client.peer_addr()), addr);
    EXPECT_EQ(unwrap(accepted.peer_addr()), unwrap(client.local_addr()));
    EXPECT_TRUE(client.set_nodelay(true).is_ok());
    EXPECT_TRUE(unwrap(client.nodelay()));
    EXPECT_TRUE(client.set_nodelay(false).is_ok());
    EXPECT_FALSE(unwrap(client.nodelay()));
    EXPECT_TRUE(client.set_ttl(42).is_ok());
    EXPECT_EQ(unwrap(client.ttl()), 42u);
}

TEST(TcpStream, TryReadWouldBlockUntilReadableThenReads) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    SocketAddr addr = unwrap(listener.local_addr());
    auto server = rt.spawn(accept_one(listener));
    TcpStream client = unwrap(rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap());
    TcpStream accepted = rt.block_on(std::move(server)).unwrap();

    std::byte buf[8];
    auto empty = client.try_read(buf);
    ASSERT_TRUE(empty.is_err());
    EXPECT_EQ(empty.error(), std::errc::operation_would_block);

    EXPECT_TRUE(rt.block_on(accepted.writable()).is_ok());
    EXPECT_EQ(unwrap(accepted.try_write(bytes("abc"))), 3u);
    // readable() may wake spuriously; loop as Tokio's docs do, on try_read's answer.
    std::size_t n = 0;
    for (;;) {
        EXPECT_TRUE(rt.block_on(client.readable()).is_ok());
        auto r = client.try_read(buf);
        if (r.is_ok()) {
            n = *r;
            break;
        }
        ASSERT_EQ(r.error(), std::errc::operation_would_block);
    }
    EXPECT_EQ(n, 3u);
}

TEST(TcpStream, ReadsDrawOnTheCooperativeBudget) {
    test::CountingWaker cw;
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        SocketAddr addr = unwrap(listener.local_addr());
        auto server = rt.spawn(accept_one(listener));
        TcpStream client = unwrap(rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap());
        TcpStream accepted = rt.block_on(std::move(server)).unwrap();
        EXPECT_TRUE(rt.block_on(io::write_all(accepted, bytes("xyz"))).is_ok());
        EXPECT_TRUE(rt.block_on(client.readable()).is_ok());

        rt.block_on(lazy([&] {
            coop::BudgetScope budget(2);
            std::byte one[1];
            Waker w = cw.waker();
            Context cx(w);
            EXPECT_TRUE(client.poll_read(cx, one).is_ready());
            EXPECT_TRUE(client.poll_read(cx, one).is_ready());
            // Budget spent: Pending although a byte is there, and the task is woken to yield.
            EXPECT_TRUE(client.poll_read(cx, one).is_pending());
            EXPECT_EQ(cw.wakes_total(), 1u);
        }));
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(TcpListener, PausesInsteadOfFailingWhenOutOfFileDescriptors) {
    test::CountingWaker cw;
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        SocketAddr addr = unwrap(listener.local_addr());
        // A first connection, accepted normally, leaves the listener's read
        // readiness set (it never saw EAGAIN).
        auto first = rt.spawn(TcpStream::connect(addr));
        EXPECT_TRUE(rt.block_on(listener.accept()).is_ok());
        TcpStream first_client = unwrap(rt.block_on(std::move(first)).unwrap());
        auto second = rt.spawn(TcpStream::connect(addr));
        TcpStream second_client = unwrap(rt.block_on(std::move(second)).unwrap());  // queued, not accepted

        rlimit saved{};
        ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
        int lowest_free = ::dup(0);
        ASSERT_GE(lowest_free, 0);
        ::close(lowest_free);
        rlimit starved = saved;
        starved.rlim_cur = static_cast<rlim_t>(lowest_free);  // no new fd can be made now
        ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &starved), 0);
        Poll<io::Result<std::pair<TcpStream, SocketAddr>>> during = pending;
        rt.block_on(lazy([&] {
            auto accept = listener.accept();
            during = test::poll_once(accept, cw);  // EMFILE: a paused accept, neither an error nor a spin
        }));
        ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
        EXPECT_TRUE(during.is_pending());
        // The queued connection is taken once the pause ends.
        auto accepted = rt.block_on(listener.accept());
        ASSERT_TRUE(accepted.is_ok()) << accepted.error().message();
        EXPECT_EQ(accepted->second, unwrap(second_client.local_addr()));
    }
    EXPECT_TRUE(cw.balanced());
}

namespace {

/// A connected pair: the client and the accepted end.
std::pair<TcpStream, TcpStream> connected_pair(Runtime& rt, TcpListener& listener) {
    auto server = rt.spawn(accept_one(listener));
    TcpStream client = unwrap(rt.block_on(rt.spawn(TcpStream::connect(unwrap(listener.local_addr())))).unwrap());
    return {std::move(client), rt.block_on(std::move(server)).unwrap()};
}

}  // namespace

TEST(TcpStream, PeekLeavesTheBytesForTheNextRead) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    auto [client, accepted] = connected_pair(rt, listener);
    EXPECT_TRUE(rt.block_on(io::write_all(accepted, bytes("hello"))).is_ok());

    std::byte buf[5];
    std::size_t n = unwrap(rt.block_on(client.peek(buf)));
    EXPECT_EQ(text(std::vector(buf, buf + n)), std::string("hello").substr(0, n));
    while (n < 5) n = unwrap(rt.block_on(client.peek(buf)));  // a peek sees what has arrived so far
    EXPECT_EQ(text(std::vector(buf, buf + 5)), "hello");
    EXPECT_EQ(unwrap(rt.block_on(client.peek(buf))), 5u);  // again: nothing was taken

    std::vector<std::byte> got(5);
    EXPECT_TRUE(rt.block_on(io::read_exact(client, got)).is_ok());
    EXPECT_EQ(text(got), "hello");
    auto empty = client.try_read(buf);
    ASSERT_TRUE(empty.is_err());
    EXPECT_EQ(empty.error(), std::errc::operation_would_block);
}

TEST(TcpStream, AShortPeekKeepsTheStreamReadable) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    auto [client, accepted] = connected_pair(rt, listener);
    EXPECT_TRUE(rt.block_on(io::write_all(accepted, bytes("abc"))).is_ok());
    std::byte big[64];
    std::size_t peeked = 0;
    while (peeked < 3) peeked = unwrap(rt.block_on(client.peek(big)));
    // A short read means "drained" and clears the readiness; a short peek must
    // not, or this read would wait for an edge that never comes.
    rt.block_on(lazy([&] {
        Context cx(noop_waker_ref());
        auto p = client.poll_read(cx, big);
        ASSERT_TRUE(p.is_ready());
        EXPECT_EQ(unwrap(p.take()), 3u);
    }));
}

TEST(TcpStream, PeekWaitsForDataAndSeesEndOfStream) {
    Runtime rt = make_runtime();
    TcpListener listener = bind_loopback(rt);
    auto [client, accepted] = connected_pair(rt, listener);
    auto [read_half, write_half] = std::move(client).into_split();
    std::byte buf[8];
    auto peeker = rt.spawn(read_half.peek(buf));  // nothing there yet: it waits
    EXPECT_TRUE(rt.block_on(io::write_all(accepted, bytes("x"))).is_ok());
    EXPECT_EQ(unwrap(rt.block_on(std::move(peeker)).unwrap()), 1u);
    EXPECT_EQ(static_cast<char>(buf[0]), 'x');
    EXPECT_EQ(unwrap(rt.block_on(io::read(read_half, buf))), 1u);
    EXPECT_TRUE(rt.block_on(io::shutdown(accepted)).is_ok());
    EXPECT_EQ(unwrap(rt.block_on(read_half.peek(buf))), 0u);  // end of stream, and it stays so
    EXPECT_EQ(unwrap(rt.block_on(io::read(read_half, buf))), 0u);
}
