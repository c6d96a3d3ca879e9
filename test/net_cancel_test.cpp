// Destroying net futures mid-way: accept, read and connect futures dropped
// while Pending lose nothing, leave no registration behind (every waker they
// handed to the reactor is released by the time the runtime is gone) and
// nothing is woken through freed memory (ASan checks that).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using namespace pollen::net;

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }

TcpListener bind_loopback(Runtime& rt) {
    return rt.block_on(lazy([] { return TcpListener::bind(SocketAddr(IpAddr::localhost_v4(), 0)); })).unwrap();
}

/// A plain blocking client socket, so the test thread can act as the peer
/// without any future of its own.
class BlockingPeer {
public:
    explicit BlockingPeer(const SocketAddr& addr) {
        fd_ = ::socket(addr.domain(), SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_storage ss;
        socklen_t len = addr.to_sockaddr(ss);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&ss), len) == 0;
    }
    ~BlockingPeer() { close(); }
    bool connected() const { return connected_; }
    void send(std::string_view s) { EXPECT_EQ(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL), ssize_t(s.size())); }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
};

}  // namespace

TEST(NetCancel, AcceptDestroyedWhilePendingLosesNoConnection) {
    test::CountingWaker cw;  // outlives the runtime, which may hold its wakers until the end
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        rt.block_on(lazy([&] {
            auto accept = listener.accept();
            EXPECT_TRUE(test::poll_once(accept, cw).is_pending());
        }));  // destroyed while waiting
        BlockingPeer peer(listener.local_addr().value());
        ASSERT_TRUE(peer.connected());
        auto accepted = rt.block_on(listener.accept());
        ASSERT_TRUE(accepted.is_ok());
        EXPECT_EQ(accepted->first.peer_addr().value().port(), accepted->second.port());
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(NetCancel, ReadDestroyedWhilePendingLosesNoBytes) {
    test::CountingWaker cw;
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        BlockingPeer peer(listener.local_addr().value());
        TcpStream stream = rt.block_on(listener.accept()).unwrap().first;
        std::byte buf[16];
        rt.block_on(lazy([&] {
            auto read = io::read(stream, buf);
            EXPECT_TRUE(test::poll_once(read, cw).is_pending());
        }));
        peer.send("kept");
        auto n = rt.block_on(io::read(stream, buf));
        ASSERT_TRUE(n.is_ok());
        EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), *n), "kept");
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(NetCancel, StreamDestroyedWithAWakerRegisteredIsNeverWokenThroughFreedMemory) {
    test::CountingWaker cw;
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        rt.block_on(lazy([&] {
            // With no peer yet this poll is Pending and leaves cw registered
            // on the listener. (Connecting first raced: a Ready poll here
            // took the only connection and the accept below waited forever.)
            auto accept = listener.accept();
            EXPECT_TRUE(test::poll_once(accept, cw).is_pending());
        }));
        BlockingPeer peer(listener.local_addr().value());
        auto accepted = rt.block_on(listener.accept());
        ASSERT_TRUE(accepted.is_ok());
        {
            TcpStream stream = std::move(accepted->first);
            std::byte buf[8];
            rt.block_on(lazy([&] {
                auto read = io::read(stream, buf);
                EXPECT_TRUE(test::poll_once(read, cw).is_pending());
            }));
        }  // stream gone with cw's waker still in its reactor slot
        // Readiness for the closed fd must not reach the freed registration.
        peer.send("late");
        peer.close();
        // A full round trip through the reactor after the close.
        BlockingPeer second(listener.local_addr().value());
        EXPECT_TRUE(rt.block_on(listener.accept()).is_ok());
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(NetCancel, ConnectDestroyedMidWayReleasesItsSocket) {
    test::CountingWaker cw;
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        SocketAddr addr = listener.local_addr().value();
        for (int i = 0; i < 50; ++i) {
            rt.block_on(lazy([&] {
                auto connect = TcpStream::connect(addr);
                (void)test::poll_once(connect, cw);  // Pending or already connected: either way, dropped
            }));
        }
        // The listener still works and a full connect still succeeds.
        auto server = rt.spawn(listener.accept());
        auto client = rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap();
        EXPECT_TRUE(client.is_ok());
        EXPECT_TRUE(rt.block_on(std::move(server)).unwrap().is_ok());
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(NetCancel, ListenerDestroyedWhileAcceptingRefusesLaterConnections) {
    test::CountingWaker cw;
    {
        Runtime rt = make_runtime();
        SocketAddr addr;
        {
            TcpListener listener = bind_loopback(rt);
            addr = listener.local_addr().value();
            rt.block_on(lazy([&] {
                auto accept = listener.accept();
                EXPECT_TRUE(test::poll_once(accept, cw).is_pending());
            }));
        }
        auto r = rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap();
        ASSERT_TRUE(r.is_err());
        EXPECT_EQ(r.error(), std::errc::connection_refused);
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(NetCancel, WriteAllDestroyedMidWayLeavesTheStreamUsable) {
    test::CountingWaker cw;
    {
        Runtime rt = make_runtime();
        TcpListener listener = bind_loopback(rt);
        BlockingPeer peer(listener.local_addr().value());  // never reads: the send buffer fills
        TcpStream stream = rt.block_on(listener.accept()).unwrap().first;
        std::vector<std::byte> big(16 * 1024 * 1024, std::byte{1});
        rt.block_on(lazy([&] {
            auto write = io::write_all(stream, std::span<const std::byte>(big));
            EXPECT_TRUE(test::poll_once(write, cw).is_pending());
        }));
        EXPECT_TRUE(stream.try_write(bytes("x")).is_err());  // still full, and still a value
    }
    EXPECT_TRUE(cw.balanced());
}
