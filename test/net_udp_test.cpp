// UdpSocket on loopback, on a multi-thread runtime: send_to/recv_from over
// IPv4 and IPv6, connected send/recv, truncation, and a receiver task that
// waits for a datagram sent later.
#include <gtest/gtest.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <pollen.hpp>

using namespace pollen;
using namespace pollen::net;

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(std::span<const std::byte> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }

UdpSocket bind_udp(Runtime& rt, IpAddr ip) {
    return rt.block_on(lazy([ip] { return UdpSocket::bind(SocketAddr(ip, 0)); })).unwrap();
}

void round_trip(Runtime& rt, IpAddr ip) {
    UdpSocket a = bind_udp(rt, ip);
    UdpSocket b = bind_udp(rt, ip);
    SocketAddr a_addr = a.local_addr().value(), b_addr = b.local_addr().value();

    std::byte buf[64];
    // The receiver is polled first, so it really waits for the datagram.
    auto receiver = rt.spawn(b.recv_from(buf));
    EXPECT_EQ(rt.block_on(a.send_to(bytes("ping"), b_addr)).value(), 4u);
    auto [n, from] = rt.block_on(std::move(receiver)).unwrap().unwrap();
    EXPECT_EQ(text(std::span(buf).first(n)), "ping");
    EXPECT_EQ(from, a_addr);

    EXPECT_EQ(rt.block_on(b.send_to(bytes("pong"), from)).value(), 4u);
    auto back = rt.block_on(a.recv_from(buf)).unwrap();
    EXPECT_EQ(text(std::span(buf).first(back.first)), "pong");
    EXPECT_EQ(back.second, b_addr);
}

}  // namespace

TEST(UdpSocket, SendToAndRecvFromRoundTripOverIpv4) {
    Runtime rt = make_runtime();
    round_trip(rt, IpAddr::localhost_v4());
}

TEST(UdpSocket, SendToAndRecvFromRoundTripOverIpv6) {
    Runtime rt = make_runtime();
    auto probe = rt.block_on(lazy([] { return UdpSocket::bind(SocketAddr(IpAddr::localhost_v6(), 0)); }));
    if (probe.is_err()) GTEST_SKIP() << "no IPv6 loopback on this machine";
    round_trip(rt, IpAddr::localhost_v6());
}

TEST(UdpSocket, ConnectedSocketsSendAndRecvWithoutAddresses) {
    Runtime rt = make_runtime();
    UdpSocket a = bind_udp(rt, IpAddr::localhost_v4());
    UdpSocket b = bind_udp(rt, IpAddr::localhost_v4());
    ASSERT_TRUE(a.connect(b.local_addr().value()).is_ok());
    ASSERT_TRUE(b.connect(a.local_addr().value()).is_ok());
    EXPECT_EQ(a.peer_addr().value(), b.local_addr().value());

    std::byte buf[16];
    EXPECT_EQ(rt.block_on(a.send(bytes("hi b"))).value(), 4u);
    std::size_t n = rt.block_on(b.recv(buf)).value();
    EXPECT_EQ(text(std::span(buf).first(n)), "hi b");
    EXPECT_EQ(rt.block_on(b.send(bytes(""))).value(), 0u);  // an empty datagram is still one
    EXPECT_EQ(rt.block_on(a.recv(buf)).value(), 0u);
}

TEST(UdpSocket, ALongDatagramIsTruncatedToTheBuffer) {
    Runtime rt = make_runtime();
    UdpSocket a = bind_udp(rt, IpAddr::localhost_v4());
    UdpSocket b = bind_udp(rt, IpAddr::localhost_v4());
    EXPECT_EQ(rt.block_on(a.send_to(bytes("0123456789"), b.local_addr().value())).value(), 10u);
    EXPECT_EQ(rt.block_on(a.send_to(bytes("next"), b.local_addr().value())).value(), 4u);
    std::byte small[4];
    EXPECT_EQ(rt.block_on(b.recv(small)).value(), 4u);
    EXPECT_EQ(text(small), "0123");
    std::byte buf[16];
    std::size_t n = rt.block_on(b.recv(buf)).value();  // the rest of the first one is gone
    EXPECT_EQ(text(std::span(buf).first(n)), "next");
}

TEST(UdpSocket, TryRecvWouldBlockOnAnEmptySocket) {
    Runtime rt = make_runtime();
    UdpSocket a = bind_udp(rt, IpAddr::localhost_v4());
    std::byte buf[8];
    auto r = a.try_recv_from(buf);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::operation_would_block);
    EXPECT_TRUE(a.set_broadcast(true).is_ok());
    EXPECT_TRUE(a.broadcast().value());
}

TEST(UdpSocket, PeekFromReturnsTheSenderAndLeavesTheDatagram) {
    Runtime rt = make_runtime();
    UdpSocket a = bind_udp(rt, IpAddr::localhost_v4());
    UdpSocket b = bind_udp(rt, IpAddr::localhost_v4());
    std::byte buf[16];
    auto peeker = rt.spawn(b.peek_from(buf));  // polled first: it waits for the datagram
    EXPECT_EQ(rt.block_on(a.send_to(bytes("0123456789"), b.local_addr().value())).value(), 10u);
    auto [n, from] = rt.block_on(std::move(peeker)).unwrap().unwrap();
    EXPECT_EQ(text(std::span(buf).first(n)), "0123456789");
    EXPECT_EQ(from, a.local_addr().value());

    std::byte small[4];  // truncated, and still queued whole
    auto again = rt.block_on(b.peek_from(small)).unwrap();
    EXPECT_EQ(again.first, 4u);
    EXPECT_EQ(text(small), "0123");
    EXPECT_EQ(again.second, from);

    auto got = rt.block_on(b.recv_from(buf)).unwrap();
    EXPECT_EQ(text(std::span(buf).first(got.first)), "0123456789");
    EXPECT_EQ(got.second, from);
    auto empty = b.try_recv_from(buf);
    ASSERT_TRUE(empty.is_err());
    EXPECT_EQ(empty.error(), std::errc::operation_would_block);
}
