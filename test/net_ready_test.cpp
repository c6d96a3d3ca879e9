// Readiness as io::Ready / io::Interest (Tokio's `ready(interest)`): the
// values themselves, the closed bits the reactor carries (a peer's FIN is
// read-closed, a reset write-closed too), waits on both directions at once,
// an ICMP error that does not leave a UDP socket spinning, and shutdown after
// the peer reset (Ok, as Tokio: never "not connected").
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <pollen.hpp>
#include <pollen/core/coop.hpp>
#include <pollen/net/owned_split.hpp>
#include <pollen/net/readiness.hpp>
#include <pollen/net/tcp_listener.hpp>
#include <pollen/net/tcp_stream.hpp>
#include <pollen/net/udp_socket.hpp>
#include <pollen/net/unix_stream.hpp>
#include <pollen/reactor/interest.hpp>
#include <pollen/reactor/ready.hpp>

#include "support/counting_waker.hpp"
#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace pollen::net;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

Runtime multi_thread() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }
Runtime current_thread() { return Builder::new_current_thread().enable_all().build(); }

template <class T>
T unwrap(io::Result<T> r) {
    EXPECT_TRUE(r) << r.error().message();
    return std::move(r).unwrap();
}

/// A connected loopback pair: (client, accepted).
std::pair<TcpStream, TcpStream> tcp_pair(Runtime& rt) {
    TcpListener listener =
        unwrap(rt.block_on(lazy([] { return TcpListener::bind(SocketAddr(IpAddr::localhost_v4(), 0)); })));
    SocketAddr addr = unwrap(listener.local_addr());
    auto server = rt.spawn(listener.accept().map([](auto r) { return unwrap(std::move(r)).first; }));
    TcpStream client = unwrap(rt.block_on(rt.spawn(TcpStream::connect(addr))).unwrap());
    TcpStream accepted = rt.block_on(std::move(server)).unwrap();
    return {std::move(client), std::move(accepted)};
}

/// Closes `s` with a reset (SO_LINGER 0) instead of a FIN.
void reset(TcpStream s) { EXPECT_TRUE(s.set_linger(std::chrono::seconds(0)).is_ok()); }

/// Fills `s`'s send buffer (and the peer's receive buffer) until the socket
/// reports itself not writable: each would_block clears the readiness that
/// the last `ready` reported, so write until `ready(WRITABLE)` stays Pending.
void fill_send_buffer(TcpStream& s) {
    std::string chunk(64 * 1024, 'x');
    for (;;) {
        auto wait = s.ready(io::Interest::WRITABLE);
        if (test::poll_once(wait, noop_waker_ref()).is_pending()) return;
        for (;;) {
            auto r = s.try_write(bytes(chunk));
            if (r.is_err()) {
                ASSERT_EQ(r.error(), std::errc::operation_would_block);
                break;
            }
        }
    }
}

}  // namespace

// ------------------------------------------------------------------ values

TEST(IoInterest, CombinesAndRemovesKinds) {
    io::Interest both = io::Interest::READABLE | io::Interest::WRITABLE;
    EXPECT_TRUE(both.is_readable());
    EXPECT_TRUE(both.is_writable());
    EXPECT_FALSE(both.is_error());
    EXPECT_EQ(both, io::Interest::WRITABLE.add(io::Interest::READABLE));
    EXPECT_EQ(both.remove(io::Interest::WRITABLE), io::Interest::READABLE);
    EXPECT_EQ(io::Interest::READABLE.remove(io::Interest::READABLE), std::nullopt);  // never empty
    io::Interest i = io::Interest::ERROR;
    i |= io::Interest::READABLE;
    EXPECT_TRUE(i.is_error() && i.is_readable() && !i.is_writable());
}

TEST(IoReady, ClosedBitsCountAsReadableAndWritableAsInTokio) {
    EXPECT_TRUE(io::Ready::EMPTY.is_empty());
    EXPECT_TRUE(io::Ready::READ_CLOSED.is_readable());
    EXPECT_TRUE(io::Ready::WRITE_CLOSED.is_writable());
    EXPECT_FALSE(io::Ready::READABLE.is_read_closed());
    EXPECT_FALSE(io::Ready::WRITABLE.is_readable());
    EXPECT_TRUE(io::Ready::ERROR.is_error());
    io::Ready all = io::Ready::ALL;
    EXPECT_EQ(all.intersection(io::Interest::READABLE), io::Ready::READABLE | io::Ready::READ_CLOSED);
    EXPECT_EQ(all.intersection(io::Interest::WRITABLE), io::Ready::WRITABLE | io::Ready::WRITE_CLOSED);
    EXPECT_EQ(all.intersection(io::Interest::ERROR), io::Ready::ERROR);
    EXPECT_FALSE(io::Ready::WRITABLE.satisfies(io::Interest::READABLE));
    EXPECT_EQ(all - io::Ready::ERROR - io::Ready::READABLE - io::Ready::WRITABLE,
              io::Ready::READ_CLOSED | io::Ready::WRITE_CLOSED);
}

// --------------------------------------------------------------- TcpStream

TEST(TcpReady, AConnectedStreamIsWritableAndReportsOnlyWhatWasAsked) {
    Runtime rt = multi_thread();
    auto [client, accepted] = tcp_pair(rt);
    io::Ready r = unwrap(rt.block_on(client.ready(io::Interest::WRITABLE)));
    EXPECT_TRUE(r.is_writable());
    EXPECT_FALSE(r.is_write_closed());
    EXPECT_FALSE(r.is_readable());  // not asked (and not there)
}

TEST(TcpReady, BothInterestsReportBothDirections) {
    Runtime rt = multi_thread();
    auto [client, accepted] = tcp_pair(rt);
    io::Ready before = unwrap(rt.block_on(client.ready(io::Interest::READABLE | io::Interest::WRITABLE)));
    EXPECT_TRUE(before.is_writable());
    EXPECT_FALSE(before.is_readable());
    EXPECT_EQ(unwrap(rt.block_on(io::write(accepted, bytes("hi")))), 2u);
    EXPECT_TRUE(rt.block_on(client.readable()).is_ok());
    io::Ready after = unwrap(rt.block_on(client.ready(io::Interest::READABLE | io::Interest::WRITABLE)));
    EXPECT_TRUE(after.is_readable());
    EXPECT_TRUE(after.is_writable());
    EXPECT_FALSE(after.is_read_closed());
}

TEST(TcpReady, ACombinedWaitIsWokenByTheReadDirection) {
    Runtime rt = current_thread();
    auto [client, accepted] = tcp_pair(rt);
    fill_send_buffer(client);  // not writable any more, and nothing to read yet
    test::EnterRuntime enter(rt);
    CountingWaker cw;
    auto wait = client.ready(io::Interest::READABLE | io::Interest::WRITABLE);
    ASSERT_TRUE(poll_once(wait, cw).is_pending());
    EXPECT_EQ(unwrap(accepted.try_write(bytes("x"))), 1u);
    ASSERT_TRUE(test::run_until(rt, [&] { return cw.wakes_total() > 0; }));
    auto p = poll_once(wait, cw);
    ASSERT_TRUE(p.is_ready());
    io::Ready r = unwrap(std::move(p.value()));
    EXPECT_TRUE(r.is_readable());
    EXPECT_FALSE(r.is_writable());
}

TEST(TcpReady, ThePeersShutdownOfWritingIsReadClosed) {
    Runtime rt = multi_thread();
    auto [client, accepted] = tcp_pair(rt);
    ASSERT_TRUE(rt.block_on(io::shutdown(accepted)).is_ok());  // FIN
    io::Ready r = unwrap(rt.block_on(client.ready(io::Interest::READABLE)));
    EXPECT_TRUE(r.is_readable());
    EXPECT_TRUE(r.is_read_closed());
    EXPECT_FALSE(r.is_write_closed());
    // Final: asked again, it says so at once, and the read is end of stream.
    EXPECT_TRUE(unwrap(rt.block_on(client.ready(io::Interest::READABLE))).is_read_closed());
    std::byte buf[4];
    EXPECT_EQ(unwrap(rt.block_on(io::read(client, buf))), 0u);
    // We may still write: the write side is open.
    io::Ready w = unwrap(rt.block_on(client.ready(io::Interest::WRITABLE)));
    EXPECT_TRUE(w.is_writable());
    EXPECT_FALSE(w.is_write_closed());
}

TEST(TcpReady, APeerResetIsReadAndWriteClosed) {
    Runtime rt = multi_thread();
    auto [client, accepted] = tcp_pair(rt);
    reset(std::move(accepted));
    io::Ready r = unwrap(rt.block_on(client.ready(io::Interest::READABLE)));  // waits for the RST
    EXPECT_TRUE(r.is_read_closed());
    io::Ready both = unwrap(rt.block_on(client.ready(io::Interest::READABLE | io::Interest::WRITABLE)));
    EXPECT_TRUE(both.is_read_closed());
    EXPECT_TRUE(both.is_write_closed());
    EXPECT_TRUE(both.is_writable());
    EXPECT_TRUE(unwrap(rt.block_on(client.ready(io::Interest::ERROR))).is_error());
}

TEST(TcpReady, SplitHalvesAnswerReady) {
    Runtime rt = multi_thread();
    auto [client, accepted] = tcp_pair(rt);
    auto [rd, wr] = std::move(client).into_split();
    EXPECT_TRUE(unwrap(rt.block_on(wr.ready(io::Interest::WRITABLE))).is_writable());
    ASSERT_TRUE(rt.block_on(io::shutdown(accepted)).is_ok());
    EXPECT_TRUE(unwrap(rt.block_on(rd.ready(io::Interest::READABLE))).is_read_closed());
}

TEST(TcpReady, ReadableAndWritableStillWorkOnTopOfReady) {
    Runtime rt = multi_thread();
    auto [client, accepted] = tcp_pair(rt);
    EXPECT_TRUE(rt.block_on(client.writable()).is_ok());
    EXPECT_EQ(unwrap(rt.block_on(io::write(accepted, bytes("z")))), 1u);
    EXPECT_TRUE(rt.block_on(client.readable()).is_ok());
    std::byte buf[2];
    EXPECT_EQ(unwrap(client.try_read(buf)), 1u);
}

// ------------------------------------------------------- shutdown after reset

TEST(TcpShutdown, AfterThePeerResetIsOkNotNotConnected) {
    Runtime rt = multi_thread();
    auto [client, accepted] = tcp_pair(rt);
    reset(std::move(accepted));
    // Wait until the reset has arrived: the connection is then closed for the OS.
    ASSERT_TRUE(unwrap(rt.block_on(client.ready(io::Interest::READABLE))).is_read_closed());
    auto r = rt.block_on(io::shutdown(client));
    EXPECT_TRUE(r.is_ok()) << r.error().message();
    auto again = rt.block_on(io::shutdown(client));  // and again
    EXPECT_TRUE(again.is_ok()) << again.error().message();
}

TEST(TcpShutdown, TheWriteHalfDroppedAfterAResetIsQuiet) {
    Runtime rt = multi_thread();
    auto [client, accepted] = tcp_pair(rt);
    reset(std::move(accepted));
    auto [rd, wr] = std::move(client).into_split();
    ASSERT_TRUE(unwrap(rt.block_on(rd.ready(io::Interest::READABLE))).is_read_closed());
    auto r = rt.block_on(io::shutdown(wr));
    EXPECT_TRUE(r.is_ok()) << r.error().message();
}

TEST(UnixShutdown, AfterThePeerClosedIsOk) {
    Runtime rt = multi_thread();
    auto [a, b] = unwrap(rt.block_on(lazy([] { return UnixStream::pair(); })));
    { auto gone = std::move(b); }
    // READABLE first: a WRITABLE wait could be answered by the writability
    // seen at registration, before the hang-up reached the reactor.
    EXPECT_TRUE(unwrap(rt.block_on(a.ready(io::Interest::READABLE))).is_read_closed());
    io::Ready r = unwrap(rt.block_on(a.ready(io::Interest::READABLE | io::Interest::WRITABLE)));
    EXPECT_TRUE(r.is_read_closed());
    EXPECT_TRUE(r.is_write_closed());  // both directions are gone with the peer
    auto s = rt.block_on(io::shutdown(a));
    EXPECT_TRUE(s.is_ok()) << s.error().message();
}

// --------------------------------------------------------------- UdpSocket

TEST(UdpReady, AFreshSocketIsWritable) {
    Runtime rt = multi_thread();
    UdpSocket s = unwrap(rt.block_on(lazy([] { return UdpSocket::bind(SocketAddr(IpAddr::localhost_v4(), 0)); })));
    io::Ready r = unwrap(rt.block_on(s.ready(io::Interest::READABLE | io::Interest::WRITABLE)));
    EXPECT_TRUE(r.is_writable());
    EXPECT_FALSE(r.is_readable());
    EXPECT_FALSE(r.is_write_closed());
}

// An ICMP "port unreachable" is one error (EPOLLERR), reported by one recv.
// Afterwards the socket must wait for the next datagram like any other, not
// stay "ready" for ever because of an error bit no syscall clears (which made
// every later recv spin through its budget and wake itself).
TEST(UdpReady, AnIcmpErrorOnceReportedDoesNotKeepTheSocketReady) {
    Runtime rt = current_thread();
    UdpSocket closed = unwrap(rt.block_on(lazy([] { return UdpSocket::bind(SocketAddr(IpAddr::localhost_v4(), 0)); })));
    SocketAddr nobody = unwrap(closed.local_addr());
    { auto gone = std::move(closed); }  // nothing listens on that port any more
    UdpSocket s = unwrap(rt.block_on(lazy([] { return UdpSocket::bind(SocketAddr(IpAddr::localhost_v4(), 0)); })));
    ASSERT_TRUE(s.connect(nobody).is_ok());
    EXPECT_EQ(unwrap(rt.block_on(s.send(bytes("anyone?")))), 7u);
    std::byte buf[16];
    auto refused = rt.block_on(s.recv(buf));
    ASSERT_TRUE(refused.is_err());
    EXPECT_EQ(refused.error(), std::errc::connection_refused);

    test::EnterRuntime enter(rt);
    coop::BudgetScope budget;  // a task's budget: the old spin ended by waking itself
    CountingWaker cw;
    auto recv = s.recv(buf);
    EXPECT_TRUE(poll_once(recv, cw).is_pending());
    EXPECT_EQ(cw.wakes_total(), 0u);  // waiting for readiness, not yielding a spent budget
}
