#pragma once
/// sim::Network: a simulated network of named hosts inside a simulation
/// runtime (Builder::new_simulation; guide: docs/simulation.md). The code
/// of a host is ordinary pollen code: net::TcpListener, TcpStream,
/// UdpSocket and lookup_host of a host's name work unchanged (the same
/// classes, their socket backed by the simulation instead of an fd: see
/// net/detail/socket.hpp), so a server written for real sockets runs here
/// as it is.
///
///     sim::Network net;                                  // inside the simulation runtime
///     net.host("server", [] { return echo_server(); });  // a start function: makes the host's main future
///     auto c = net.client("client", echo_client("server:7"));  // a JoinHandle
///     net.partition("server", "client");                 // later: net.repair(...)
///     rt.block_on(std::move(c));
///
/// Hosts: each gets an IPv4 address (10.0.0.1, 10.0.0.2... in order of
/// creation) and its name resolves to it; "localhost" and 127.0.0.1 reach
/// the host itself. A host's tasks are the future its start function makes
/// (spawned, with the start function run inside the host so that it may
/// bind sockets itself) and every task those spawn. `crash(h)` destroys
/// them all and takes the host down: its sockets send nothing more, and
/// its peers see silence until they send to it (then nothing answers while
/// it is down, and once it is back, a RST: connection_reset on their next
/// read or write, connection_refused on a connect). `restart(h)` brings it
/// back, with no sockets, and runs its start function again. A client
/// (`client(name, future)`) is a host with one task and no start function.
///
/// Links: every pair of hosts is a link, with the defaults given to the
/// constructor until `set_link` changes them (sim::LinkConfig: latency and
/// its jitter, UDP loss). `partition(a, b)` cuts a link: UDP datagrams are
/// dropped, TCP packets wait (a real TCP retransmits), so a connect across
/// it does not complete and data arrives only after `repair(a, b)`.
/// `hold(a, b)` keeps every packet on the link until `release(a, b)`.
/// Packets already on their way when a link changes still arrive.
///
/// Everything is decided by the run's seed and logged into its hash
/// (sim::Stats): two runs of a seed see the same packets at the same
/// virtual times. Calls outside a host that need one (binding or
/// connecting in block_on's future itself) throw std::logic_error, and so
/// does making a Network outside a simulation runtime or a second one.
///
/// Destroying the Network stops its delivery; the sockets its hosts still
/// hold keep what they have. Threads: the simulation's only.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "../core/future.hpp"
#include "../runtime/join_handle.hpp"
#include "../runtime/simulation.hpp"
#include "../runtime/spawn.hpp"
#include "detail/sim_fabric.hpp"
#include "ip_addr.hpp"
#include "sim_link.hpp"

namespace pollen::sim {

class Network {
public:
    /// `defaults`: every link's configuration until set_link.
    explicit Network(LinkConfig defaults = {});
    ~Network();
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    /// A host named `name`; `start()` returns the future of its main task
    /// and is called now and at each restart. std::invalid_argument if the
    /// name is taken.
    template <class F>
    void host(std::string name, F start) {
        auto fn = std::make_shared<F>(std::move(start));
        fabric_->add_host(std::move(name), [fn] { (void)pollen::spawn((*fn)()); });
    }

    /// A host whose one task is `fut`; its JoinHandle.
    template <Future F>
    JoinHandle<output_t<F>> client(std::string name, F fut) {
        net::detail::sim::HostId h = fabric_->add_host(std::move(name), {});
        NodeScope inside(fabric_->host_node(h));
        return pollen::spawn(std::move(fut));
    }

    /// std::invalid_argument for a name that is no host's.
    void crash(std::string_view host);
    void restart(std::string_view host);
    bool is_up(std::string_view host) const;
    net::IpAddr ip(std::string_view host) const;

    void set_link(std::string_view a, std::string_view b, LinkConfig config);
    void partition(std::string_view a, std::string_view b);
    void repair(std::string_view a, std::string_view b);
    void hold(std::string_view a, std::string_view b);
    void release(std::string_view a, std::string_view b);

    /// Packets sent, delivered, dropped (lost, partitioned, host down) and parked so far.
    using Counters = net::detail::sim::Fabric::Counters;
    const Counters& counters() const { return fabric_->counters(); }

private:
    std::shared_ptr<net::detail::sim::Fabric> fabric_;
};

}  // namespace pollen::sim
