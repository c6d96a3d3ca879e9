#include "sim_network.hpp"

#include <limits>
#include <stdexcept>

namespace pollen::sim {

Network::Network(LinkConfig defaults) {
    if (!in_simulation())
        throw std::logic_error("pollen::sim::Network is made inside a simulation runtime (Builder::new_simulation)");
    if (net::detail::sim::Fabric::current())
        throw std::logic_error("pollen::sim::Network: this simulation has one already");
    if (defaults.max_latency < defaults.min_latency) defaults.max_latency = defaults.min_latency;
    // Seeded from the scenario's stream: the schedule's draws stay as they were.
    fabric_ = std::make_shared<net::detail::sim::Fabric>(defaults, random_below(std::numeric_limits<std::uint64_t>::max()));
    net::detail::sim::Fabric::set_current(fabric_.get());
    fabric_->start_driver();
}

Network::~Network() {
    fabric_->close();
    if (net::detail::sim::Fabric::current() == fabric_.get()) net::detail::sim::Fabric::set_current(nullptr);
}

void Network::crash(std::string_view host) { fabric_->crash(fabric_->host_id(host)); }
void Network::restart(std::string_view host) { fabric_->restart(fabric_->host_id(host)); }
bool Network::is_up(std::string_view host) const { return fabric_->is_up(fabric_->host_id(host)); }
net::IpAddr Network::ip(std::string_view host) const { return fabric_->host_ip(fabric_->host_id(host)); }

void Network::set_link(std::string_view a, std::string_view b, LinkConfig config) {
    fabric_->set_link(fabric_->host_id(a), fabric_->host_id(b), config);
}
void Network::partition(std::string_view a, std::string_view b) {
    fabric_->partition(fabric_->host_id(a), fabric_->host_id(b));
}
void Network::repair(std::string_view a, std::string_view b) { fabric_->repair(fabric_->host_id(a), fabric_->host_id(b)); }
void Network::hold(std::string_view a, std::string_view b) { fabric_->hold(fabric_->host_id(a), fabric_->host_id(b)); }
void Network::release(std::string_view a, std::string_view b) {
    fabric_->release(fabric_->host_id(a), fabric_->host_id(b));
}

}  // namespace pollen::sim
