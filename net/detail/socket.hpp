#pragma once
/// detail::Socket: a non-blocking socket registered with the current
/// reactor, and the syscalls every socket type of net/ shares (recv and
/// recvfrom, also with MSG_PEEK, send with MSG_NOSIGNAL, sendmsg, sendto,
/// readiness, options, addresses).
///
/// Sockets are set up (bind, listen, connect) on an OwnedFd, then adopted.
/// Each `poll_*` runs IoSource::poll_io: the cooperative budget, readiness,
/// the syscall, EAGAIN → wait again (Pending), EINTR → retry. Reads and writes
/// use separate waker slots, so one task may read while another writes. The
/// `try_*` calls make one attempt; their EAGAIN clears the readiness that the
/// last `poll_ready` reported (by tick, so newer readiness is never lost) and
/// comes back as Err(operation_would_block). Destroying a Socket deregisters
/// it from the reactor, then closes the fd.
///
/// The seam of the simulated network (net/sim_network.hpp): inside a
/// simulation with a sim::Network, bind_socket, ConnectSocket and the
/// TcpListener's accept make Sockets backed by a sim::SimSocket instead of
/// an fd (`simulated()` is then non-null, `fd()` is -1), and every call
/// below goes to it; TcpListener, TcpStream and UdpSocket are unchanged.
/// Options are accepted and ignored there (`option` reads 0).

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>

#include "../../core/detail/owned_fd.hpp"
#include "../../core/detail/syscall.hpp"
#include "../../core/io/async_write.hpp"
#include "../../core/io/error.hpp"
#include "../../reactor/interest.hpp"
#include "../../reactor/detail/io_source.hpp"
#include "../../reactor/ready.hpp"

namespace pollen::net::detail {

namespace sim {
class SimSocket;
/// Out of line, so that a Socket's users need not see SimSocket.
struct SimSocketDelete {
    void operator()(SimSocket* s) const noexcept;
};
using SimSocketPtr = std::unique_ptr<SimSocket, SimSocketDelete>;
}  // namespace sim

using pollen::detail::Direction;
using pollen::detail::OwnedFd;
// Socket syscalls go through the fault-injection seam (nil cost unless a test installs a plan).
namespace sys = pollen::detail::sys;

/// The error of the last failed syscall.
inline io::Error last_error() { return io::Error(errno, std::generic_category()); }

/// Throws std::logic_error naming `what` inside a simulation, before any
/// socket exists (Reactor::refuse_real_io_in_simulation): new_socket and
/// socket_pair call it.
void refuse_in_simulation(const char* what);

/// socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC), not yet registered:
/// bind, listen and connect run on it first, because a fresh unconnected
/// socket reports EPOLLHUP, and the reactor keeps hang-ups for good (an
/// accept or connect would then see readiness forever and spin on EAGAIN).
/// Refused inside a simulation (throws std::logic_error).
io::Result<OwnedFd> new_socket(int domain, int type);

class Socket;
/// socket, SO_REUSEADDR if asked, bind, listen if `backlog` >= 0, and only
/// then registration with the current reactor. In a simulated network: the
/// current host's listener or datagram socket.
io::Result<Socket> bind_socket(int type, const sockaddr_storage& addr, socklen_t len, int backlog,
                               bool reuse_addr);

class Socket {
public:
    Socket() = default;
    /// Registers `fd`, which the Socket owns from now on (closed on failure too).
    static io::Result<Socket> adopt(int fd);

    /// A Socket backed by a simulated network's endpoint.
    explicit Socket(sim::SimSocketPtr s) : sim_(std::move(s)) {}

    Socket(Socket&& other) noexcept : io_(std::move(other.io_)), sim_(std::move(other.sim_)) { copy_ticks(other); }
    Socket& operator=(Socket&& other) noexcept {
        io_ = std::move(other.io_);
        sim_ = std::move(other.sim_);
        copy_ticks(other);
        return *this;
    }

    int fd() const { return io_.fd(); }
    bool is_open() const { return io_.is_open() || sim_ != nullptr; }
    /// The simulated endpoint, or null for a real socket.
    sim::SimSocket* simulated() const { return sim_.get(); }
    pollen::detail::IoSource& io() { return io_; }

    /// `byte_stream` (TCP, Unix stream): a short transfer clears the readiness
    /// (see IoSource::poll_io); datagram sockets leave it false. `flags` go to
    /// recv: MSG_PEEK (peek) leaves the bytes queued, so a short peek keeps
    /// the readiness (the bytes are still there for the next read).
    Poll<io::Result<std::size_t>> poll_recv(Context& cx, std::span<std::byte> buf, bool byte_stream = false,
                                            int flags = 0);
    Poll<io::Result<std::size_t>> poll_send(Context& cx, std::span<const std::byte> buf, bool byte_stream = false);
    /// Byte streams only.
    Poll<io::Result<std::size_t>> poll_send_vectored(Context& cx, io::IoSlices bufs);
    /// `from`/`from_len` are filled when Ready(Ok); `flags` go to recvfrom (MSG_PEEK).
    Poll<io::Result<std::size_t>> poll_recv_from(Context& cx, std::span<std::byte> buf,
                                                 sockaddr_storage& from, socklen_t& from_len, int flags = 0);
    Poll<io::Result<std::size_t>> poll_send_to(Context& cx, std::span<const std::byte> buf,
                                               const sockaddr_storage& to, socklen_t to_len);
    /// Ready(Ok) once `dir` is (or may be) ready; Err(operation_canceled) if the
    /// reactor shut down. Remembers the readiness tick for try_io.
    Poll<io::Result<void>> poll_ready(Context& cx, Direction dir);
    /// Ready with the readiness that answers `interest` (never empty; closed
    /// bits included), as Tokio's `ready(interest)`; Err(operation_canceled)
    /// if the reactor shut down. Remembers the tick for the try_io of each
    /// direction `interest` names.
    Poll<io::Result<io::Ready>> poll_ready(Context& cx, io::Interest interest);

    /// One attempt of `op` (a syscall returning -1 with errno on failure).
    template <class Op>
    io::Result<std::size_t> try_io(Direction dir, Op&& op) {
        for (;;) {
            auto n = op();
            if (n >= 0) return Ok(static_cast<std::size_t>(n));
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                std::uint32_t tick = tick_of(dir).load(std::memory_order_relaxed);
                if (tick != kNoTick) io_.clear_readiness({0, tick}, dir);
                return Err(io::error(std::errc::operation_would_block));
            }
            return Err(last_error());
        }
    }
    io::Result<std::size_t> try_recv(std::span<std::byte> buf);
    io::Result<std::size_t> try_send(std::span<const std::byte> buf);
    /// One sendto / recvfrom (`from_len` filled when Ok).
    io::Result<std::size_t> try_send_to(std::span<const std::byte> buf, const sockaddr_storage& to, socklen_t to_len);
    io::Result<std::size_t> try_recv_from(std::span<std::byte> buf, sockaddr_storage& from, socklen_t& from_len);
    /// connect(2) of a datagram socket: sets its default peer.
    io::Result<void> connect_datagram(const sockaddr_storage& to, socklen_t to_len);

    /// shutdown(2): SHUT_RD, SHUT_WR or SHUT_RDWR. ENOTCONN is Ok, as in
    /// Tokio's TcpStream: the peer's reset (or close) got there first, and
    /// whether the OS then says "not connected" is a race the caller cannot
    /// act on (tokio-rs/tokio#4665).
    io::Result<void> shutdown(int how);
    io::Result<void> set_option(int level, int name, int value);
    io::Result<int> option(int level, int name) const;
    /// SO_ERROR, consumed: Ok() if there was none, else the pending error.
    io::Result<void> take_error();
    /// getsockname / getpeername; the length filled in.
    io::Result<socklen_t> local(sockaddr_storage& out) const;
    io::Result<socklen_t> peer(sockaddr_storage& out) const;

private:
    // Ticks are 16 bits wide (see ScheduledIo); this marks "none seen yet".
    static constexpr std::uint32_t kNoTick = 0xFFFFFFFFu;
    std::atomic<std::uint32_t>& tick_of(Direction d) { return ticks_[d == Direction::Read ? 0 : 1]; }
    void copy_ticks(const Socket& other) {
        for (int i = 0; i < 2; ++i) ticks_[i].store(other.ticks_[i].load(std::memory_order_relaxed),
                                                    std::memory_order_relaxed);
    }

    pollen::detail::IoSource io_;
    sim::SimSocketPtr sim_;
    std::atomic<std::uint32_t> ticks_[2] = {kNoTick, kNoTick};
};

}  // namespace pollen::net::detail
