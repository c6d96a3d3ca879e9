#include "sim_fabric.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <stdexcept>

#include "../../reactor/sleep.hpp"
#include "../../runtime/spawn.hpp"
#include "../gai_error.hpp"
#include "sim_socket.hpp"

namespace pollen::net::detail::sim {

namespace {

thread_local Fabric* tls_fabric = nullptr;

// Event kinds of the run's log (the scheduler's are below 16).
enum Event : std::uint8_t {
    kSent = 16,
    kDelivered = 17,
    kDropped = 18,
    kParked = 19,
    kCrashed = 20,
    kRestarted = 21,
    kLinkChanged = 22,
};

// An event of the run's log; none once the runtime is gone (its shutdown
// destroys the sockets that tasks still held).
void note(std::uint8_t kind, std::uint64_t value) {
    if (pollen::sim::in_simulation()) pollen::sim::record_event(kind, value);
}

std::uint64_t packet_word(const Packet& p) {
    return (p.seq << 8) ^ (std::uint64_t(p.kind) << 4) ^ (std::uint64_t(p.bytes.size()) << 40);
}

// Heap order: the earliest delivery first, then the earliest send.
bool later(const Packet& a, const Packet& b) {
    if (a.at != b.at) return a.at > b.at;
    return a.seq > b.seq;
}

// The task that delivers packets: sleeps until the first one is due (or a
// send makes a new first), delivers what is due, again; done once the
// Network is gone.
class Driver {
public:
    using Output = void;
    explicit Driver(std::shared_ptr<Fabric> f) : fabric_(std::move(f)) {}

    Poll<void> poll(Context& cx) {
        for (;;) {
            if (fabric_->is_closed()) return ready();
            std::optional<time::Instant> next = fabric_->deliver_due();
            fabric_->set_driver_wait(cx.waker(), next);
            if (!next) return pending;
            if (!sleep_) sleep_.emplace(time::sleep_until(*next));
            else if (sleep_->deadline() != *next) sleep_->reset(*next);
            if (sleep_->poll(cx).is_pending()) return pending;
        }
    }

private:
    std::shared_ptr<Fabric> fabric_;
    std::optional<time::Sleep> sleep_;
};

}  // namespace

Fabric::Fabric(pollen::sim::LinkConfig defaults, std::uint64_t seed) : defaults_(defaults), rng_(seed) {}

Fabric::~Fabric() = default;

Fabric* Fabric::current() {
    // A Network outlives no simulation, but a thread may run other runtimes too.
    return tls_fabric != nullptr && pollen::sim::in_simulation() ? tls_fabric : nullptr;
}
void Fabric::set_current(Fabric* f) { tls_fabric = f; }

void Fabric::start_driver() {
    pollen::sim::NodeScope outside_hosts(0);  // no host's crash stops it
    (void)pollen::spawn(Driver(shared_from_this()));
}

void Fabric::close() {
    closed_ = true;
    std::exchange(driver_waker_, noop_waker()).wake();
}

// ---------------------------------------------------------------- hosts

HostId Fabric::add_host(std::string name, std::function<void()> start) {
    for (const Host& h : hosts_)
        if (h.name == name) throw std::invalid_argument("pollen::sim::Network: a host named \"" + name + "\" exists");
    if (hosts_.size() >= 250 * 250) throw std::length_error("pollen::sim::Network: too many hosts");
    HostId id = HostId(hosts_.size());
    Host h;
    h.name = std::move(name);
    std::uint32_t n = id + 1;
    h.ip = IpAddr::v4(10, 0, std::uint8_t(n / 250), std::uint8_t(n % 250));
    h.node = pollen::sim::new_node();
    h.start = std::move(start);
    hosts_.push_back(std::move(h));
    host_of_node_[hosts_.back().node] = id;
    run_start(id);
    return id;
}

HostId Fabric::host_id(std::string_view name) const {
    for (HostId i = 0; i < hosts_.size(); ++i)
        if (hosts_[i].name == name) return i;
    throw std::invalid_argument("pollen::sim::Network: no host named \"" + std::string(name) + "\"");
}

void Fabric::run_start(HostId h) {
    if (!hosts_[h].start) return;
    pollen::sim::NodeScope scope(hosts_[h].node);
    hosts_[h].start();
}

void Fabric::crash(HostId h) {
    Host& host = hosts_[h];
    if (!host.up) return;
    host.up = false;
    note(kCrashed, h);
    // Its sockets first: the destructors that killing the tasks runs find
    // them down, and send nothing.
    std::map<std::uint64_t, SimSocket*> sockets;
    sockets.swap(host.sockets);
    host.listeners.clear();
    host.datagram_ports.clear();
    host.connections.clear();
    for (auto& [id, s] : sockets) s->host_down();
    pollen::sim::NodeId node = host.node;
    host.node = 0;
    host_of_node_.erase(node);
    pollen::sim::kill_node(node);
}

void Fabric::restart(HostId h) {
    Host& host = hosts_[h];
    if (host.up) throw std::logic_error("pollen::sim::Network::restart: host \"" + host.name + "\" is up (crash it first)");
    if (!host.start)
        throw std::logic_error("pollen::sim::Network::restart: \"" + host.name + "\" is a client: it has no start function");
    host.up = true;
    host.node = pollen::sim::new_node();
    host_of_node_[host.node] = h;
    note(kRestarted, h);
    run_start(h);
}

HostId Fabric::current_host(const char* what) const {
    pollen::sim::NodeId node = pollen::sim::current_node();
    auto it = host_of_node_.find(node);
    if (it == host_of_node_.end())
        throw std::logic_error(std::string("pollen::sim: ") + what +
                               " outside a simulated host: in a simulated network every socket belongs to a host; "
                               "create it in a task of Network::host or Network::client");
    return it->second;
}

// ---------------------------------------------------------------- links

Fabric::Link& Fabric::link(HostId a, HostId b) {
    auto key = std::minmax(a, b);
    auto it = links_.find(key);
    if (it == links_.end()) it = links_.emplace(key, Link{defaults_, false, false, {}}).first;
    return it->second;
}

void Fabric::set_link(HostId a, HostId b, pollen::sim::LinkConfig config) {
    if (config.max_latency < config.min_latency) config.max_latency = config.min_latency;
    link(a, b).config = config;
}

void Fabric::partition(HostId a, HostId b) { change_link(a, b, &Link::partitioned, true, 0); }
void Fabric::repair(HostId a, HostId b) { change_link(a, b, &Link::partitioned, false, 1); }
void Fabric::hold(HostId a, HostId b) { change_link(a, b, &Link::held, true, 2); }
void Fabric::release(HostId a, HostId b) { change_link(a, b, &Link::held, false, 3); }

void Fabric::change_link(HostId a, HostId b, bool Link::*flag, bool on, std::uint64_t code) {
    note(kLinkChanged, (std::uint64_t(a) << 32 | b) * 4 + code);
    link(a, b).*flag = on;
    if (!on) unpark(a, b);
}

Fabric::Fate Fabric::fate(const Link& l, const Packet& p) {
    if (l.held || (l.partitioned && p.is_tcp())) return Fate::Park;
    if (l.partitioned) return Fate::Drop;
    return Fate::Pass;
}

void Fabric::unpark(HostId a, HostId b) {
    std::deque<Packet> parked;
    parked.swap(link(a, b).parked);
    // Sent again in their order, each with a fresh latency (what a held
    // queue or a retransmission after the repair does); a link still held
    // or partitioned parks them again.
    for (Packet& p : parked) {
        Link& l = link(a, b);
        switch (fate(l, p)) {
            case Fate::Park:
                l.parked.push_back(std::move(p));
                break;
            case Fate::Drop:
                ++counters_.dropped;
                note(kDropped, packet_word(p));
                break;
            case Fate::Pass:
                schedule(std::move(p), time::Instant::now());
                break;
        }
    }
}

// ---------------------------------------------------------------- names and addresses

io::Result<std::vector<SocketAddr>> Fabric::resolve(std::string_view name, std::uint16_t port) const {
    if (name == "localhost") return Ok(std::vector<SocketAddr>{SocketAddr(IpAddr::localhost_v4(), port)});
    for (const Host& h : hosts_)
        if (h.name == name) return Ok(std::vector<SocketAddr>{SocketAddr(h.ip, port)});
    return Err(make_gai_error(EAI_NONAME));
}

std::optional<HostId> Fabric::route(HostId from, const IpAddr& ip) const {
    if (ip.is_loopback() || ip.is_unspecified()) return from;
    for (HostId i = 0; i < hosts_.size(); ++i)
        if (hosts_[i].ip == ip) return i;
    return std::nullopt;
}

IpAddr Fabric::source_ip(HostId h, const IpAddr& to) const {
    if (to.is_loopback() || to.is_unspecified()) return IpAddr::localhost_v4();
    return hosts_[h].ip;
}

std::uint16_t Fabric::ephemeral_port(HostId h) {
    Host& host = hosts_[h];
    std::uint16_t p = host.next_port;
    host.next_port = host.next_port == 65535 ? 49152 : std::uint16_t(host.next_port + 1);
    return p;
}

io::Result<std::unique_ptr<SimSocket>> Fabric::bind(int type, const SocketAddr& addr) {
    HostId h = current_host(type == SOCK_STREAM ? "TcpListener::bind" : "UdpSocket::bind");
    Host& host = hosts_[h];
    if (!addr.ip().is_unspecified() && !addr.ip().is_loopback() && addr.ip() != host.ip)
        return Err(io::error(std::errc::address_not_available));
    auto& ports = type == SOCK_STREAM ? host.listeners : host.datagram_ports;
    SocketAddr local = addr;
    if (local.port() == 0) {
        for (int tries = 0; tries < 16384; ++tries) {
            std::uint16_t p = ephemeral_port(h);
            if (!ports.contains(p)) {
                local.set_port(p);
                break;
            }
        }
        if (local.port() == 0) return Err(io::error(std::errc::address_in_use));
    } else if (ports.contains(local.port())) {
        return Err(io::error(std::errc::address_in_use));
    }
    auto kind = type == SOCK_STREAM ? SimSocket::Kind::Listener : SimSocket::Kind::Datagram;
    auto s = std::make_unique<SimSocket>(shared_from_this(), h, kind, local);
    ports[local.port()] = s.get();
    return Ok(std::move(s));
}

io::Result<std::unique_ptr<SimSocket>> Fabric::connect(const SocketAddr& addr) {
    HostId h = current_host("TcpStream::connect");
    std::optional<HostId> to = route(h, addr.ip());
    if (!to) return Err(io::error(std::errc::network_unreachable));
    SocketAddr local(source_ip(h, addr.ip()), ephemeral_port(h));
    auto s = std::make_unique<SimSocket>(shared_from_this(), h, SimSocket::Kind::Stream, local);
    s->set_connecting(addr, *to);
    add_connection(s.get(), addr);
    Packet syn;
    syn.kind = Packet::kSyn;
    syn.from = h;
    syn.to = *to;
    syn.src = local;
    syn.dst = addr;
    send(std::move(syn));
    return Ok(std::move(s));
}

// ---------------------------------------------------------------- registrations

void Fabric::add_socket(SimSocket* s) { hosts_[s->host()].sockets[s->id()] = s; }

void Fabric::remove_socket(SimSocket* s) {
    auto& sockets = hosts_[s->host()].sockets;
    auto it = sockets.find(s->id());
    if (it != sockets.end() && it->second == s) sockets.erase(it);
}

void Fabric::add_connection(SimSocket* s, const SocketAddr& peer) {
    hosts_[s->host()].connections[{s->local(), peer}] = s;
}

void Fabric::remove_connection(SimSocket* s, const SocketAddr& peer) {
    auto& conns = hosts_[s->host()].connections;
    auto it = conns.find({s->local(), peer});
    if (it != conns.end() && it->second == s) conns.erase(it);
}

void Fabric::remove_port(SimSocket* s) {
    Host& host = hosts_[s->host()];
    auto& ports = s->kind() == SimSocket::Kind::Listener ? host.listeners : host.datagram_ports;
    auto it = ports.find(s->local().port());
    if (it != ports.end() && it->second == s) ports.erase(it);
}

// ---------------------------------------------------------------- packets

void Fabric::send(Packet p) {
    if (closed_) return;  // the Network is gone: nothing carries packets any more
    p.seq = next_seq_++;
    ++counters_.sent;
    note(kSent, packet_word(p));
    if (p.from != p.to) {
        Link& l = link(p.from, p.to);
        // Decided as the packet leaves: what is in flight when a link is cut
        // still arrives, and a TCP direction's order survives the repair (the
        // parked packets are scheduled after the ones in flight).
        Fate f = fate(l, p);
        if (f == Fate::Park) {
            ++counters_.parked;
            note(kParked, packet_word(p));
            l.parked.push_back(std::move(p));
            return;
        }
        bool lost = f == Fate::Pass && p.kind == Packet::kDatagram && l.config.udp_loss > 0 &&
                    double(rng_.below(1'000'000)) < l.config.udp_loss * 1'000'000.0;
        if (f == Fate::Drop || lost) {
            ++counters_.dropped;
            note(kDropped, packet_word(p));
            return;
        }
    }
    schedule(std::move(p), time::Instant::now());
}

void Fabric::schedule(Packet p, time::Instant now) {
    time::Instant at = now;
    if (p.from != p.to) {
        const pollen::sim::LinkConfig& c = link(p.from, p.to).config;
        std::uint64_t spread = std::uint64_t((c.max_latency - c.min_latency).count());
        at = now + c.min_latency + std::chrono::nanoseconds(spread ? rng_.below(spread + 1) : 0);
    }
    if (p.is_tcp()) {
        if (stream_last_.size() > prune_at_) {
            // An entry at or before now constrains nothing (every new packet
            // is due at now or later): forget those, closed connections' too.
            std::erase_if(stream_last_, [&](const auto& e) { return e.second <= now; });
            prune_at_ = std::max<std::size_t>(1024, 2 * stream_last_.size());
        }
        auto [it, fresh] = stream_last_.try_emplace({p.src, p.dst}, at);
        if (!fresh) {
            at = std::max(at, it->second);
            it->second = at;
        }
    }
    p.at = at;
    heap_.push_back(std::move(p));
    std::push_heap(heap_.begin(), heap_.end(), later);
    wake_driver_if_first(at);
}

void Fabric::wake_driver_if_first(time::Instant at) {
    if (driver_deadline_ && *driver_deadline_ <= at) return;
    driver_deadline_ = at;  // until the driver says what it waits for
    driver_waker_.wake_by_ref();
}

std::optional<time::Instant> Fabric::deliver_due() {
    time::Instant now = time::Instant::now();
    while (!heap_.empty() && heap_.front().at <= now && !closed_) {
        std::pop_heap(heap_.begin(), heap_.end(), later);
        Packet p = std::move(heap_.back());
        heap_.pop_back();
        deliver(p);
    }
    if (heap_.empty()) return std::nullopt;
    return heap_.front().at;
}

void Fabric::deliver(Packet& p) {
    Host& host = hosts_[p.to];
    if (!host.up) {
        ++counters_.dropped;
        note(kDropped, packet_word(p));
        return;
    }
    ++counters_.delivered;
    note(kDelivered, packet_word(p));
    switch (p.kind) {
        case Packet::kSyn: {
            auto l = host.listeners.find(p.dst.port());
            if (l == host.listeners.end()) {
                answer(p, Packet::kRst);
                return;
            }
            if (host.connections.contains({p.dst, p.src})) return;  // a duplicate
            auto s = std::make_unique<SimSocket>(shared_from_this(), p.to, SimSocket::Kind::Stream, p.dst);
            s->set_open(p.src, p.from);
            add_connection(s.get(), p.src);
            answer(p, Packet::kSynAck);
            l->second->enqueue_accepted(std::move(s));
            return;
        }
        case Packet::kDatagram: {
            auto d = host.datagram_ports.find(p.dst.port());
            if (d != host.datagram_ports.end()) d->second->deliver(p);  // else: no ICMP here
            return;
        }
        default: {
            auto c = host.connections.find({p.dst, p.src});
            if (c == host.connections.end()) {
                if (p.kind == Packet::kData || p.kind == Packet::kSynAck) answer(p, Packet::kRst);
                return;
            }
            c->second->deliver(p);
            return;
        }
    }
}

void Fabric::answer(const Packet& p, Packet::Kind kind) {
    Packet reply;
    reply.kind = kind;
    reply.from = p.to;
    reply.to = p.from;
    reply.src = p.dst;
    reply.dst = p.src;
    send(std::move(reply));
}

}  // namespace pollen::net::detail::sim
