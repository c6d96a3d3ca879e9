// TcpSocket (Tokio's): options set before bind/listen/connect, two listeners
// sharing a port through SO_REUSEPORT, a connect from a chosen local
// address, and the refusal inside a simulation.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string_view>

#include <pollen.hpp>

using namespace pollen;
using namespace pollen::net;

namespace {

template <class T>
T unwrap(io::Result<T> r) {
    EXPECT_TRUE(r.is_ok()) << (r.is_ok() ? "" : r.error().message());
    return std::move(r).value();
}

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

}  // namespace

TEST(TcpSocket, OptionsReadBackWhatWasSet) {
    TcpSocket s = unwrap(TcpSocket::new_v4());
    ASSERT_TRUE(s.set_reuseaddr(true).is_ok());
    EXPECT_TRUE(unwrap(s.reuseaddr()));
    ASSERT_TRUE(s.set_reuseport(true).is_ok());
    EXPECT_TRUE(unwrap(s.reuseport()));
    ASSERT_TRUE(s.set_keepalive(true).is_ok());
    EXPECT_TRUE(unwrap(s.keepalive()));
    ASSERT_TRUE(s.set_nodelay(true).is_ok());
    EXPECT_TRUE(unwrap(s.nodelay()));
    ASSERT_TRUE(s.set_linger(std::chrono::seconds(3)).is_ok());
    EXPECT_EQ(unwrap(s.linger()), std::optional<std::chrono::seconds>(std::chrono::seconds(3)));
    ASSERT_TRUE(s.set_linger(std::nullopt).is_ok());
    EXPECT_EQ(unwrap(s.linger()), std::nullopt);
    ASSERT_TRUE(s.set_send_buffer_size(64 * 1024).is_ok());
    EXPECT_GE(unwrap(s.send_buffer_size()), 64u * 1024u);  // Linux keeps double
    ASSERT_TRUE(s.set_recv_buffer_size(64 * 1024).is_ok());
    EXPECT_GE(unwrap(s.recv_buffer_size()), 64u * 1024u);
    ASSERT_TRUE(s.set_reuseaddr(false).is_ok());
    EXPECT_FALSE(unwrap(s.reuseaddr()));
}

TEST(TcpSocket, ListensAndConnectsAndTheBytesGoThrough) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto guard = rt.enter();
    TcpSocket ls = unwrap(TcpSocket::new_v4());
    ASSERT_TRUE(ls.bind(SocketAddr(IpAddr::localhost_v4(), 0)).is_ok());
    SocketAddr addr = unwrap(ls.local_addr());
    EXPECT_NE(addr.port(), 0);
    TcpListener listener = unwrap(std::move(ls).listen(16));
    EXPECT_EQ(unwrap(listener.local_addr()), addr);

    TcpSocket cs = unwrap(TcpSocket::new_v4());
    ASSERT_TRUE(cs.set_nodelay(true).is_ok());
    TcpStream client = unwrap(rt.block_on(std::move(cs).connect(addr)));
    EXPECT_TRUE(unwrap(client.nodelay()));  // set before connect, kept after
    auto [server, peer] = unwrap(rt.block_on(listener.accept()));
    EXPECT_EQ(peer, unwrap(client.local_addr()));
    ASSERT_TRUE(rt.block_on(io::write_all(client, bytes("ping"))).is_ok());
    std::array<std::byte, 4> got{};
    ASSERT_TRUE(rt.block_on(io::read_exact(server, got)).is_ok());
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(got.data()), 4), "ping");
}

TEST(TcpSocket, AConnectFromABoundLocalAddressUsesIt) {
    Runtime rt = Builder::new_current_thread().build();
    auto guard = rt.enter();
    TcpListener listener = unwrap(TcpListener::bind(SocketAddr(IpAddr::localhost_v4(), 0)));
    SocketAddr to = unwrap(listener.local_addr());
    TcpSocket cs = unwrap(TcpSocket::new_v4());
    ASSERT_TRUE(cs.bind(SocketAddr(IpAddr::localhost_v4(), 0)).is_ok());
    SocketAddr from = unwrap(cs.local_addr());
    TcpStream client = unwrap(rt.block_on(std::move(cs).connect(to)));
    EXPECT_EQ(unwrap(client.local_addr()), from);
    auto accepted = unwrap(rt.block_on(listener.accept()));
    EXPECT_EQ(accepted.second, from);
}

TEST(TcpSocket, TwoListenersShareAPortWithReuseport) {
    Runtime rt = Builder::new_current_thread().build();
    auto guard = rt.enter();
    TcpSocket a = unwrap(TcpSocket::new_v4());
    ASSERT_TRUE(a.set_reuseport(true).is_ok());
    ASSERT_TRUE(a.bind(SocketAddr(IpAddr::localhost_v4(), 0)).is_ok());
    SocketAddr addr = unwrap(a.local_addr());
    TcpSocket b = unwrap(TcpSocket::new_v4());
    ASSERT_TRUE(b.set_reuseport(true).is_ok());
    ASSERT_TRUE(b.bind(addr).is_ok());
    TcpListener la = unwrap(std::move(a).listen(16));
    TcpListener lb = unwrap(std::move(b).listen(16));
    // Without SO_REUSEPORT the same bind is refused.
    TcpSocket c = unwrap(TcpSocket::new_v4());
    auto refused = c.bind(addr);
    ASSERT_TRUE(refused.is_err());
    EXPECT_EQ(refused.error(), std::errc::address_in_use);
}

TEST(TcpSocket, AConnectToAClosedPortFails) {
    Runtime rt = Builder::new_current_thread().build();
    auto guard = rt.enter();
    SocketAddr closed_port = [] {
        TcpListener l = unwrap(TcpListener::bind(SocketAddr(IpAddr::localhost_v4(), 0)));
        return unwrap(l.local_addr());
    }();  // the listener is gone: nothing listens there now
    TcpSocket cs = unwrap(TcpSocket::new_v4());
    auto r = rt.block_on(std::move(cs).connect(closed_port));
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::connection_refused);
}

TEST(TcpSocket, RefusedInsideASimulation) {
    Runtime rt = Builder::new_simulation(7).build();
    auto guard = rt.enter();
    EXPECT_THROW((void)TcpSocket::new_v4(), std::logic_error);
}
