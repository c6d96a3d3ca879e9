// UnixDatagram (Tokio's): a socketpair round trip, bound sockets that see
// each other's address, unbound and connected senders, abstract names,
// datagram boundaries, truncation, the try_* calls and readiness, and a recv
// destroyed mid-way that takes nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <pollen.hpp>
#include <pollen/net/unix_datagram.hpp>
#include <pollen/net/unix_socket_addr.hpp>
#include <pollen/reactor/interest.hpp>

#include "support/counting_waker.hpp"
#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace pollen::net;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(std::span<const std::byte> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

Runtime multi_thread() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }

template <class T>
T unwrap(io::Result<T> r) {
    EXPECT_TRUE(r) << r.error().message();
    return std::move(r).unwrap();
}

/// A fresh socket path, removed when the test ends (cleanup is the user's job).
class TempSocketPath {
public:
    TempSocketPath() {
        static int counter = 0;
        path_ = "/tmp/pollen-dgram-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".sock";
        ::unlink(path_.c_str());
    }
    ~TempSocketPath() { ::unlink(path_.c_str()); }
    const std::string& str() const { return path_; }

private:
    std::string path_;
};

// Sockets are registered with the current runtime's reactor: make them inside it.
UnixDatagram bind_at(Runtime& rt, std::string_view path) {
    return unwrap(rt.block_on(lazy([path] { return UnixDatagram::bind(path); })));
}
UnixDatagram unbound(Runtime& rt) { return unwrap(rt.block_on(lazy([] { return UnixDatagram::unbound(); }))); }
std::pair<UnixDatagram, UnixDatagram> pair(Runtime& rt) {
    return unwrap(rt.block_on(lazy([] { return UnixDatagram::pair(); })));
}

}  // namespace

TEST(UnixDatagram, PairSendsAndReceivesBothWays) {
    Runtime rt = multi_thread();
    auto [a, b] = pair(rt);
    std::byte buf[16];
    auto receiver = rt.spawn(b.recv(buf));  // polled first: it waits for the datagram
    EXPECT_EQ(unwrap(rt.block_on(a.send(bytes("ping")))), 4u);
    std::size_t n = unwrap(rt.block_on(std::move(receiver)).unwrap());
    EXPECT_EQ(text(std::span(buf).first(n)), "ping");
    EXPECT_EQ(unwrap(rt.block_on(b.send(bytes("pong!")))), 5u);
    n = unwrap(rt.block_on(a.recv(buf)));
    EXPECT_EQ(text(std::span(buf).first(n)), "pong!");
    EXPECT_TRUE(unwrap(a.peer_addr()).is_unnamed());
    EXPECT_TRUE(unwrap(a.local_addr()).is_unnamed());
}

TEST(UnixDatagram, BoundSocketsSeeEachOthersAddressAndReplyToIt) {
    Runtime rt = multi_thread();
    TempSocketPath pa, pb;
    UnixDatagram a = bind_at(rt, pa.str());
    UnixDatagram b = bind_at(rt, pb.str());
    EXPECT_EQ(unwrap(a.local_addr()).as_pathname(), pa.str());

    std::byte buf[16];
    auto receiver = rt.spawn(b.recv_from(buf));
    EXPECT_EQ(unwrap(rt.block_on(a.send_to(bytes("hello"), pb.str()))), 5u);
    auto [n, from] = unwrap(rt.block_on(std::move(receiver)).unwrap());
    EXPECT_EQ(text(std::span(buf).first(n)), "hello");
    EXPECT_EQ(from.as_pathname(), pa.str());

    EXPECT_EQ(unwrap(rt.block_on(b.send_to(bytes("back"), from))), 4u);  // reply to what recv_from said
    auto back = unwrap(rt.block_on(a.recv_from(buf)));
    EXPECT_EQ(text(std::span(buf).first(back.first)), "back");
    EXPECT_EQ(back.second.as_pathname(), pb.str());
}

TEST(UnixDatagram, AnUnboundSenderIsUnnamed) {
    Runtime rt = multi_thread();
    TempSocketPath p;
    UnixDatagram server = bind_at(rt, p.str());
    UnixDatagram client = unbound(rt);
    EXPECT_EQ(unwrap(rt.block_on(client.send_to(bytes("anon"), p.str()))), 4u);
    std::byte buf[8];
    auto [n, from] = unwrap(rt.block_on(server.recv_from(buf)));
    EXPECT_EQ(text(std::span(buf).first(n)), "anon");
    EXPECT_TRUE(from.is_unnamed());
}

TEST(UnixDatagram, ConnectSetsTheDefaultPeer) {
    Runtime rt = multi_thread();
    TempSocketPath p;
    UnixDatagram server = bind_at(rt, p.str());
    UnixDatagram client = unbound(rt);
    ASSERT_TRUE(client.connect(p.str()).is_ok());
    EXPECT_EQ(unwrap(client.peer_addr()).as_pathname(), p.str());
    EXPECT_EQ(unwrap(rt.block_on(client.send(bytes("via connect")))), 11u);
    std::byte buf[16];
    std::size_t n = unwrap(rt.block_on(server.recv(buf)));
    EXPECT_EQ(text(std::span(buf).first(n)), "via connect");
}

TEST(UnixDatagram, AbstractNamesAreAddressesToo) {
    Runtime rt = multi_thread();
    std::string name_a = std::string(1, '\0') + "pollen-dgram-a-" + std::to_string(::getpid());
    std::string name_b = std::string(1, '\0') + "pollen-dgram-b-" + std::to_string(::getpid());
    UnixDatagram a = bind_at(rt, name_a);
    UnixDatagram b = bind_at(rt, name_b);
    EXPECT_TRUE(unwrap(a.local_addr()).is_abstract());
    EXPECT_EQ(unwrap(rt.block_on(a.send_to(bytes("abs"), name_b))), 3u);
    std::byte buf[8];
    auto [n, from] = unwrap(rt.block_on(b.recv_from(buf)));
    EXPECT_EQ(text(std::span(buf).first(n)), "abs");
    EXPECT_TRUE(from.is_abstract());
    EXPECT_EQ(from, unwrap(a.local_addr()));
}

TEST(UnixDatagram, EachRecvTakesOneWholeDatagram) {
    Runtime rt = multi_thread();
    auto [a, b] = pair(rt);
    for (std::string_view m : {"a", "bc", "", "def"}) EXPECT_EQ(unwrap(rt.block_on(a.send(bytes(m)))), m.size());
    std::byte buf[16];
    for (std::string_view m : {"a", "bc", "", "def"}) {
        std::size_t n = unwrap(rt.block_on(b.recv(buf)));
        EXPECT_EQ(text(std::span(buf).first(n)), m);  // boundaries kept, an empty datagram is one too
    }
}

TEST(UnixDatagram, ADatagramLongerThanTheBufferIsTruncatedAndTheRestDropped) {
    Runtime rt = multi_thread();
    auto [a, b] = pair(rt);
    EXPECT_EQ(unwrap(rt.block_on(a.send(bytes("0123456789")))), 10u);
    EXPECT_EQ(unwrap(rt.block_on(a.send(bytes("next")))), 4u);
    std::byte small[4];
    EXPECT_EQ(unwrap(rt.block_on(b.recv(small))), 4u);
    EXPECT_EQ(text(small), "0123");
    std::byte buf[16];
    std::size_t n = unwrap(rt.block_on(b.recv(buf)));
    EXPECT_EQ(text(std::span(buf).first(n)), "next");
}

TEST(UnixDatagram, ARecvDestroyedMidWayTakesNothing) {
    Runtime rt = Builder::new_current_thread().enable_all().build();
    auto [a, b] = pair(rt);
    std::byte buf[16];
    {
        test::EnterRuntime enter(rt);
        CountingWaker cw;
        {
            auto recv = b.recv(buf);
            EXPECT_TRUE(poll_once(recv, cw).is_pending());
        }
        EXPECT_EQ(unwrap(a.try_send(bytes("kept"))), 4u);
        ASSERT_TRUE(test::run_until(rt, [&] { return cw.wakes_total() > 0; }));  // the stale waker goes
        EXPECT_TRUE(cw.balanced());
    }
    std::size_t n = unwrap(rt.block_on(b.recv(buf)));
    EXPECT_EQ(text(std::span(buf).first(n)), "kept");
}

TEST(UnixDatagram, TryCallsAndReadiness) {
    Runtime rt = multi_thread();
    auto [a, b] = pair(rt);
    std::byte buf[8];
    auto empty = b.try_recv(buf);
    ASSERT_TRUE(empty.is_err());
    EXPECT_EQ(empty.error(), std::errc::operation_would_block);
    auto none = b.try_recv_from(buf);
    ASSERT_TRUE(none.is_err());
    EXPECT_EQ(none.error(), std::errc::operation_would_block);

    io::Ready w = unwrap(rt.block_on(a.ready(io::Interest::READABLE | io::Interest::WRITABLE)));
    EXPECT_TRUE(w.is_writable());
    EXPECT_FALSE(w.is_readable());
    EXPECT_EQ(unwrap(a.try_send(bytes("xy"))), 2u);
    // readable() may wake spuriously; loop on try_recv's answer, as Tokio's docs do.
    for (;;) {
        EXPECT_TRUE(unwrap(rt.block_on(b.ready(io::Interest::READABLE))).is_readable());
        auto r = b.try_recv_from(buf);
        if (r.is_ok()) {
            EXPECT_EQ(text(std::span(buf).first(r->first)), "xy");
            EXPECT_TRUE(r->second.is_unnamed());
            break;
        }
        ASSERT_EQ(r.error(), std::errc::operation_would_block);
    }
    EXPECT_TRUE(rt.block_on(a.writable()).is_ok());
    EXPECT_TRUE(a.take_error().is_ok());
}

TEST(UnixDatagram, BadTargetsAreErrorValues) {
    Runtime rt = multi_thread();
    UnixDatagram s = unbound(rt);
    TempSocketPath nobody;  // nothing bound there
    auto r = rt.block_on(s.send_to(bytes("x"), nobody.str()));
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::no_such_file_or_directory);
    auto too_long = rt.block_on(s.send_to(bytes("x"), std::string(200, 'p')));
    ASSERT_TRUE(too_long.is_err());
    EXPECT_EQ(too_long.error(), std::errc::filename_too_long);
    EXPECT_EQ(s.try_send_to(bytes("x"), std::string(200, 'p')).error(), std::errc::filename_too_long);
    auto bound = rt.block_on(lazy([] { return UnixDatagram::bind(std::string(200, 'p')); }));
    ASSERT_TRUE(bound.is_err());
    EXPECT_EQ(bound.error(), std::errc::filename_too_long);
}

// More datagrams than the receiver's queue holds (net.unix.max_dgram_qlen):
// a connected sender whose peer's queue is full waits, and is woken when the
// receiving task drains it.
TEST(UnixDatagram, AConnectedSenderWaitsForTheReceiversQueue) {
    Runtime rt = multi_thread();
    TempSocketPath p;
    UnixDatagram server = bind_at(rt, p.str());
    UnixDatagram client = unbound(rt);
    ASSERT_TRUE(client.connect(p.str()).is_ok());
    constexpr int kCount = 2000;
    auto counter = rt.spawn(future::poll_fn([&, got = 0, buf = std::array<std::byte, 8>{}](Context& cx) mutable -> Poll<int> {
        for (;;) {
            auto r = server.poll_recv(cx, buf);
            if (r.is_pending()) return pending;
            if (r.value().is_err()) return pollen::ready(-1);
            if (++got == kCount) return pollen::ready(got);
        }
    }));
    for (int i = 0; i < kCount; ++i) {
        auto sent = rt.block_on(client.send(bytes("n")));
        ASSERT_TRUE(sent.is_ok()) << sent.error().message();
    }
    EXPECT_EQ(rt.block_on(std::move(counter)).unwrap(), kCount);
}
