#pragma once
/// detail::sim::SimSocket: the simulated backend of a detail::Socket, what
/// a TcpListener, TcpStream or UdpSocket made inside a simulated host
/// (net/sim_network.hpp) holds instead of a registered fd. A Socket with
/// one forwards each call here; everything else of net/ is unchanged.
///
/// A stream is a connection of the Fabric's: writes never wait (the buffers
/// are unbounded) and leave as one data packet each, which the peer's
/// SimSocket queues on delivery; a read takes queued bytes, or is Ready(0)
/// after the peer's FIN, or Err(connection_reset) after its RST, or waits.
/// A listener queues the connections the Fabric accepted for it (the
/// handshake completes without the accept, as a kernel's backlog does). A
/// datagram socket queues whole datagrams, at most kMaxDatagrams.
///
/// Destroying one closes it: a stream sends FIN (packets the peer sends
/// afterwards are answered with RST), a listener resets what it had queued;
/// its port is free again at once. When its host crashes it goes down:
/// nothing more is sent, and every call fails with connection_aborted.
///
/// Threads: the simulation's only (wakers included): no atomics.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "../../core/context.hpp"
#include "../../core/io/error.hpp"
#include "../../core/poll.hpp"
#include "../../core/waker.hpp"
#include "../../reactor/interest.hpp"
#include "../../reactor/ready.hpp"
#include "../socket_addr.hpp"
#include "sim_fabric.hpp"

namespace pollen::net::detail::sim {

class SimSocket {
public:
    enum class Kind : std::uint8_t { Listener, Stream, Datagram };
    enum class State : std::uint8_t { Connecting, Open, Refused, Reset, Down };
    static constexpr std::size_t kMaxDatagrams = 1024;

    SimSocket(std::shared_ptr<Fabric> fabric, HostId host, Kind kind, SocketAddr local);
    ~SimSocket();
    SimSocket(const SimSocket&) = delete;
    SimSocket& operator=(const SimSocket&) = delete;

    Kind kind() const { return kind_; }
    HostId host() const { return host_; }
    std::uint64_t id() const { return id_; }
    const SocketAddr& local() const { return local_; }
    /// The peer of a stream or of a connected datagram socket.
    const std::optional<SocketAddr>& peer() const { return peer_; }

    // ---- streams ----
    /// Reads queued bytes (`peek`: leaves them queued). With no waker
    /// (`cx` null) it is one attempt: Err(operation_would_block) for Pending.
    Poll<io::Result<std::size_t>> poll_read(Context* cx, std::span<std::byte> buf, bool peek);
    io::Result<std::size_t> write(std::span<const std::byte> buf);
    Poll<io::Result<void>> poll_connect(Context& cx);
    io::Result<void> shutdown(int how);

    // ---- listeners ----
    Poll<io::Result<std::unique_ptr<SimSocket>>> poll_accept(Context& cx);

    // ---- datagrams ----
    Poll<io::Result<std::size_t>> poll_recv_from(Context* cx, std::span<std::byte> buf, SocketAddr& from, bool peek);
    io::Result<std::size_t> send_to(std::span<const std::byte> buf, const SocketAddr& to);
    io::Result<void> connect_datagram(const SocketAddr& peer);

    // ---- readiness ----
    io::Ready readiness() const;
    Poll<io::Result<io::Ready>> poll_ready(Context& cx, io::Interest interest);

    // ---- the Fabric's side ----
    /// A packet the Fabric demultiplexed to this socket.
    void deliver(Packet& p);
    /// Queues a connection that a SYN made for this listener.
    void enqueue_accepted(std::unique_ptr<SimSocket> s);
    /// The stream is connected: what a client's SYN-ACK or a server's SYN does.
    void set_open(const SocketAddr& peer, HostId peer_host);
    /// A client stream's peer, before its SYN leaves.
    void set_connecting(const SocketAddr& peer, HostId peer_host) {
        peer_ = peer;
        peer_host_ = peer_host;
    }
    /// Its host crashed: down for good, and its wakers woken (a task of
    /// another host holding it sees connection_aborted).
    void host_down();
    /// Closes a stream with RST instead of FIN (a listener's unaccepted ones).
    void abort();

private:
    void wake_read();
    void wake_write();
    /// Sends a packet of this stream to its peer.
    void send(Packet::Kind kind, std::vector<std::byte> bytes = {});

    std::shared_ptr<Fabric> fabric_;
    HostId host_;
    Kind kind_;
    State state_;
    bool closed_ = false;  // a stream that was aborted, or whose FIN went out with its close
    std::uint64_t id_;
    SocketAddr local_;
    std::optional<SocketAddr> peer_;
    HostId peer_host_ = 0;

    // Streams: bytes received (from in_head_ on), the peer's FIN, our own.
    std::vector<std::byte> in_;
    std::size_t in_head_ = 0;
    bool eof_ = false;
    bool write_shut_ = false;
    // Listeners.
    std::deque<std::unique_ptr<SimSocket>> backlog_;
    // Datagram sockets.
    struct Datagram {
        SocketAddr from;
        std::vector<std::byte> bytes;
    };
    std::deque<Datagram> datagrams_;

    Waker read_waker_ = noop_waker();
    Waker write_waker_ = noop_waker();
};

}  // namespace pollen::net::detail::sim
