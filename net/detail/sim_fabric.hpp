#pragma once
/// detail::sim::Fabric: the state of a simulated network (what a
/// sim::Network owns; net/sim_network.hpp is its public face and
/// docs/simulation.md its guide): the hosts (a name, an IPv4 address
/// 10.0.0.N, the runtime node their tasks make up, and their sockets by
/// port and by connection), the links between them (latency, loss,
/// partitioned, held), and the packets in flight.
///
/// Every packet (a TCP SYN, SYN-ACK, data, FIN or RST; a UDP datagram) is
/// delivered by one task, the fabric's driver, at its delivery time on the
/// virtual clock: sending pushes it onto a heap ordered by (time, send
/// number) and wakes the driver when it is the new first. As a packet
/// leaves, its link is checked: a held link parks every packet, a
/// partitioned one parks TCP's (a real TCP would retransmit them until the
/// partition heals) and drops UDP's; release and repair send the parked
/// ones again, in order. Packets already in flight when a link is cut
/// still arrive. A packet for
/// a host that is down is dropped; one that finds no socket is answered as
/// a kernel would: a SYN, SYN-ACK or data with RST, the rest silently. Each send,
/// delivery, drop and park is an event of the run's log (sim::record_event),
/// and every random draw (latency, loss) comes from the fabric's generator,
/// seeded from the run's, so that a seed replays the network too.
///
/// A host crash takes it down: its sockets go down (sending nothing: its
/// peers hear silence until they send, and once it is back, RST), its
/// tasks are destroyed (sim::kill_node). A restart gives it a new node and
/// runs its start function again there.
///
/// `Fabric::current()` is the fabric of the Network alive on this thread
/// (a Network is made inside a simulation runtime and sets it): what the
/// Socket seam (socket.cpp, connect_socket.cpp, lookup_host.cpp) asks.
///
/// Threads: the simulation's only.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../../core/io/error.hpp"
#include "../../core/waker.hpp"
#include "../../reactor/instant.hpp"
#include "../../runtime/detail/scheduler/sim_rng.hpp"
#include "../../runtime/simulation.hpp"
#include "../sim_link.hpp"
#include "../socket_addr.hpp"

namespace pollen::net::detail::sim {

class SimSocket;
using HostId = std::uint32_t;

struct Packet {
    enum Kind : std::uint8_t { kSyn, kSynAck, kData, kFin, kRst, kDatagram };
    Kind kind = kData;
    HostId from = 0, to = 0;
    SocketAddr src, dst;
    std::vector<std::byte> bytes;
    time::Instant at;       // when it is delivered
    std::uint64_t seq = 0;  // send order: breaks ties of `at`

    bool is_tcp() const { return kind != kDatagram; }
};

class Fabric : public std::enable_shared_from_this<Fabric> {
public:
    Fabric(pollen::sim::LinkConfig defaults, std::uint64_t seed);
    ~Fabric();

    /// The fabric of the Network alive on this thread, inside a simulation; else null.
    static Fabric* current();
    static void set_current(Fabric* f);

    // ---- hosts ----
    /// A new host, up, with the next address; `start` (may be empty) runs
    /// now and at each restart, inside a NodeScope of the host's node.
    HostId add_host(std::string name, std::function<void()> start);
    /// std::invalid_argument for a name no host has.
    HostId host_id(std::string_view name) const;
    const std::string& host_name(HostId h) const { return hosts_[h].name; }
    IpAddr host_ip(HostId h) const { return hosts_[h].ip; }
    bool is_up(HostId h) const { return hosts_[h].up; }
    /// The node its tasks are in now (0 while it is down).
    pollen::sim::NodeId host_node(HostId h) const { return hosts_[h].node; }
    void crash(HostId h);
    /// Brings a crashed host back (a new node; its start function again).
    void restart(HostId h);
    /// Starts the driver task (the constructor cannot: shared_from_this).
    void start_driver();
    /// Stops the driver (the Network is gone).
    void close();

    // ---- links ----
    void set_link(HostId a, HostId b, pollen::sim::LinkConfig config);
    void partition(HostId a, HostId b);
    void repair(HostId a, HostId b);
    void hold(HostId a, HostId b);
    void release(HostId a, HostId b);

    // ---- what sockets and lookups ask ----
    /// The host of the task being polled; std::logic_error naming `what`
    /// outside every host.
    HostId current_host(const char* what) const;
    /// bind (type SOCK_STREAM: a listener; SOCK_DGRAM: a datagram socket).
    io::Result<std::unique_ptr<SimSocket>> bind(int type, const SocketAddr& addr);
    /// A stream in Connecting whose SYN is on its way.
    io::Result<std::unique_ptr<SimSocket>> connect(const SocketAddr& addr);
    /// A host name (or "localhost") as its address; Err(EAI_NONAME, the
    /// gai category) for any other name. Literals are the caller's to parse.
    io::Result<std::vector<SocketAddr>> resolve(std::string_view host, std::uint16_t port) const;
    /// The host an address reaches from `from`, or nullopt (no such host).
    std::optional<HostId> route(HostId from, const IpAddr& ip) const;
    /// The address `h` sends from to reach `to` (loopback stays loopback).
    IpAddr source_ip(HostId h, const IpAddr& to) const;
    std::uint16_t ephemeral_port(HostId h);
    /// Puts a packet on the wire (with its latency, loss for datagrams).
    void send(Packet p);

    // ---- a socket's registrations ----
    void add_socket(SimSocket* s);
    void remove_socket(SimSocket* s);
    void add_connection(SimSocket* s, const SocketAddr& peer);
    void remove_connection(SimSocket* s, const SocketAddr& peer);
    void remove_port(SimSocket* s);
    std::uint64_t next_socket_id() { return ++last_socket_id_; }

    /// Delivers every packet due by now; the driver's step. Returns the
    /// delivery time of the next one, if any.
    std::optional<time::Instant> deliver_due();
    /// What the driver waits for: a wake, or `deadline` (none: only a wake).
    void set_driver_wait(const Waker& w, std::optional<time::Instant> deadline) {
        driver_waker_ = w;
        driver_deadline_ = deadline;
    }
    bool is_closed() const { return closed_; }

    /// The counters of the run (what tests look at).
    struct Counters {
        std::uint64_t sent = 0, delivered = 0, dropped = 0, parked = 0;
    };
    const Counters& counters() const { return counters_; }

private:
    struct Host {
        std::string name;
        IpAddr ip;
        pollen::sim::NodeId node = 0;
        bool up = true;
        std::function<void()> start;
        std::map<std::uint16_t, SimSocket*> listeners;
        std::map<std::uint16_t, SimSocket*> datagram_ports;
        std::map<std::pair<SocketAddr, SocketAddr>, SimSocket*> connections;  // (local, peer)
        std::map<std::uint64_t, SimSocket*> sockets;                          // by id: crash order
        std::uint16_t next_port = 49152;
    };
    struct Link {
        pollen::sim::LinkConfig config;
        bool partitioned = false;
        bool held = false;
        std::deque<Packet> parked;
    };
    Link& link(HostId a, HostId b);
    /// partition, repair, hold, release: sets `flag`; clearing it sends what was parked.
    void change_link(HostId a, HostId b, bool Link::*flag, bool on, std::uint64_t code);
    /// What a link does with a packet now: carry it, keep it until the link heals, or lose it.
    enum class Fate { Pass, Park, Drop };
    static Fate fate(const Link& l, const Packet& p);
    void schedule(Packet p, time::Instant earliest);
    void deliver(Packet& p);
    /// Sends `kind` (a SYN-ACK, a RST) back the way `p` came.
    void answer(const Packet& p, Packet::Kind kind);
    void unpark(HostId a, HostId b);
    void run_start(HostId h);
    void wake_driver_if_first(time::Instant at);

    pollen::sim::LinkConfig defaults_;
    std::vector<Host> hosts_;
    std::map<pollen::sim::NodeId, HostId> host_of_node_;
    std::map<std::pair<HostId, HostId>, Link> links_;
    // The packets in flight: a binary heap by (at, seq).
    std::vector<Packet> heap_;
    // A TCP direction's last delivery time: its packets never overtake.
    std::map<std::pair<SocketAddr, SocketAddr>, time::Instant> stream_last_;
    std::size_t prune_at_ = 1024;  // stream_last_'s size that triggers forgetting the past
    pollen::detail::SimRng rng_;
    std::uint64_t next_seq_ = 0;
    std::uint64_t last_socket_id_ = 0;
    Waker driver_waker_ = noop_waker();
    std::optional<time::Instant> driver_deadline_;
    bool closed_ = false;
    Counters counters_;
};

}  // namespace pollen::net::detail::sim
