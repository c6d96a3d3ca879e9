// Cancellation at every point, net: accept, connect, read, write, readable
// and UDP recv_from/send_to, polled by hand inside a current-thread runtime
// whose reactor runs between polls; the peer is a plain blocking socket.
// Accept, read and recv are cancel-safe (Tokio's promise): a connection,
// byte or datagram that a destroyed future did not return is still there.
// A socket's readiness slot keeps the last waker until the socket goes (as
// Tokio's does), so wakers are checked once the world is torn down.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>

#include "support/counting_waker.hpp"
#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace pollen::net;
using pollen::testing::cancel_at_every_point;

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

Runtime current_thread() { return Builder::new_current_thread().enable_all().build(); }

/// A plain blocking socket, so the peer needs no future of its own.
class BlockingPeer {
public:
    explicit BlockingPeer(const SocketAddr& addr, int type = SOCK_STREAM) {
        fd_ = ::socket(addr.domain(), type | SOCK_CLOEXEC, 0);
        sockaddr_storage ss;
        socklen_t len = addr.to_sockaddr(ss);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&ss), len) == 0;
    }
    BlockingPeer(const BlockingPeer&) = delete;
    ~BlockingPeer() {
        if (fd_ >= 0) ::close(fd_);
    }
    bool connected() const { return connected_; }
    bool send(std::string_view s) { return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size()); }
    /// Reads whatever is there now, without waiting.
    std::size_t drain() {
        std::size_t total = 0;
        char buf[65536];
        for (ssize_t n; (n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT)) > 0;) total += std::size_t(n);
        return total;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
};

/// Runs the runtime until the instance was woken after its last poll.
void turn_until_woken(Runtime& rt, const pollen::testing::Step& s) {
    EXPECT_TRUE(test::run_until(rt, [&] { return s.woken_since_poll(); })) << "never woken";
}

SocketAddr loopback() { return SocketAddr(IpAddr::localhost_v4(), 0); }

}  // namespace

TEST(CancelEveryPointNet, AcceptLosesNoConnection) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    std::optional<TcpListener> listener;
    std::vector<std::unique_ptr<BlockingPeer>> peers;
    std::size_t accepted = 0;
    auto r = cancel_at_every_point([&] { return listener->accept(); })
                 .setup([&] {
                     listener.emplace(TcpListener::bind(loopback()).unwrap());
                     accepted = 0;
                 })
                 .step([&](const pollen::testing::Step& s) {
                     peers.push_back(std::make_unique<BlockingPeer>(listener->local_addr().value()));
                     EXPECT_TRUE(peers.back()->connected());
                     turn_until_woken(rt, s);
                 })
                 .on_output([&](auto& res) {
                     accepted += res.is_ok();
                     return res.is_ok();
                 })
                 .invariant("every connection made is accepted exactly once", [&] {
                     while (accepted < peers.size()) {
                         if (rt.block_on(listener->accept()).is_err()) return false;
                         ++accepted;
                     }
                     return true;
                 })
                 .teardown([&] {
                     listener.reset();
                     peers.clear();
                 })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointNet, ConnectReleasesItsSocket) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    TcpListener listener = TcpListener::bind(loopback()).unwrap();
    SocketAddr addr = listener.local_addr().value();
    auto r = cancel_at_every_point([&] { return TcpStream::connect(addr); })
                 .step([&](const pollen::testing::Step& s) { turn_until_woken(rt, s); })
                 .on_output([](io::Result<TcpStream>& s) { return s.is_ok(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    // Connections destroyed mid-way or done: the listener still accepts.
    EXPECT_TRUE(rt.block_on(listener.accept()).is_ok());
}

namespace {

/// An accepted connection and its blocking peer, and the bytes through it.
struct Connection {
    std::optional<TcpListener> listener;
    std::unique_ptr<BlockingPeer> peer;
    std::optional<TcpStream> stream;
    std::string sent, received;
    void open(Runtime& rt) {
        listener.emplace(TcpListener::bind(loopback()).unwrap());
        peer = std::make_unique<BlockingPeer>(listener->local_addr().value());
        stream.emplace(rt.block_on(listener->accept()).unwrap().first);
        sent.clear();
        received.clear();
    }
    void close() {
        stream.reset();
        peer.reset();
        listener.reset();
    }
    std::string drain_stream() {
        std::string out;
        std::byte buf[256];
        for (auto n = stream->try_read(buf); n.is_ok() && *n > 0; n = stream->try_read(buf))
            out.append(reinterpret_cast<const char*>(buf), *n);
        return out;
    }
};

}  // namespace

TEST(CancelEveryPointNet, ReadLosesNoBytes) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    Connection c;
    std::byte buf[64];
    auto r = cancel_at_every_point([&] { return io::read(*c.stream, buf); })
                 .setup([&] { c.open(rt); })
                 .step([&](const pollen::testing::Step& s) {
                     EXPECT_TRUE(c.peer->send("hello"));
                     c.sent += "hello";
                     turn_until_woken(rt, s);
                 })
                 .on_output([&](io::Result<std::size_t>& n) {
                     if (n.is_ok()) c.received.append(reinterpret_cast<const char*>(buf), *n);
                     return n.is_ok();
                 })
                 .invariant("every byte sent is read exactly once", [&] {
                     return c.received + c.drain_stream() == c.sent;
                 })
                 .teardown([&] { c.close(); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointNet, WriteToAFullSocket) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    Connection c;
    auto r = cancel_at_every_point([&] { return io::write(*c.stream, "x"); })
                 .setup([&] {
                     c.open(rt);
                     std::vector<std::byte> chunk(65536, std::byte{1});
                     while (c.stream->try_write(chunk).is_ok()) {
                     }
                 })
                 .step([&](const pollen::testing::Step& s) {
                     // The peer reads until the writer is woken: the kernel
                     // reports space only past a threshold.
                     EXPECT_TRUE(test::run_until(rt, [&] {
                         c.peer->drain();
                         return s.woken_since_poll();
                     }));
                 })
                 .on_output([](io::Result<std::size_t>& n) { return n.is_ok() && *n == 1; })
                 .teardown([&] { c.close(); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointNet, ReadableReadiness) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    Connection c;
    auto r = cancel_at_every_point([&] { return c.stream->readable(); })
                 .setup([&] { c.open(rt); })
                 .step([&](const pollen::testing::Step& s) {
                     EXPECT_TRUE(c.peer->send("x"));
                     turn_until_woken(rt, s);
                 })
                 .teardown([&] { c.close(); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointNet, UdpRecvFromLosesNoDatagram) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    std::optional<UdpSocket> sock;
    std::unique_ptr<BlockingPeer> peer;
    int sent = 0, received = 0;
    std::byte buf[64];
    auto r = cancel_at_every_point([&] { return sock->recv_from(buf); })
                 .setup([&] {
                     sock.emplace(UdpSocket::bind(loopback()).unwrap());
                     peer = std::make_unique<BlockingPeer>(sock->local_addr().value(), SOCK_DGRAM);
                     sent = received = 0;
                 })
                 .step([&](const pollen::testing::Step& s) {
                     EXPECT_TRUE(peer->send("datagram"));
                     ++sent;
                     turn_until_woken(rt, s);
                 })
                 .on_output([&](auto& res) {
                     received += res.is_ok();
                     return res.is_ok() && res->first == 8;
                 })
                 .invariant("every datagram sent is received exactly once", [&] {
                     while (sock->try_recv_from(buf).is_ok()) ++received;
                     return received == sent;
                 })
                 .teardown([&] {
                     sock.reset();
                     peer.reset();
                 })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointNet, UdpSendTo) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    std::optional<UdpSocket> a;
    UdpSocket b = UdpSocket::bind(loopback()).unwrap();
    SocketAddr target = b.local_addr().value();
    auto r = cancel_at_every_point([&] { return a->send_to(bytes("ping"), target); })
                 .setup([&] { a.emplace(UdpSocket::bind(loopback()).unwrap()); })
                 // A new socket's first writability comes with the reactor's next turn.
                 .step([&](const pollen::testing::Step& s) { turn_until_woken(rt, s); })
                 .on_output([](io::Result<std::size_t>& n) { return n.is_ok() && *n == 4; })
                 .teardown([&] { a.reset(); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

// The bug AcceptLosesNoConnection found: a socket's readiness record kept the
// last waker until the reactor's next turn after the socket was destroyed,
// pinning the waiting task meanwhile (for ever, on a current-thread runtime
// that is not run again).
TEST(CancelEveryPointNet, ADestroyedSocketReleasesItsWakerWithoutAReactorTurn) {
    test::CountingWaker cw;
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    {
        TcpListener listener = TcpListener::bind(loopback()).unwrap();
        auto accept = listener.accept();
        EXPECT_TRUE(test::poll_once(accept, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);
    }
    EXPECT_TRUE(cw.balanced());
}
