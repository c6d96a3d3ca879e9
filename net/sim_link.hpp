#pragma once
/// sim::LinkConfig: how a simulated network (net/sim_network.hpp) carries
/// packets between two hosts: a latency drawn per packet, uniformly from
/// [min_latency, max_latency] with the seed's generator (the jitter), and
/// the share of UDP datagrams lost. TCP is reliable and in order whatever
/// the latency draws (a connection's packets never overtake each other);
/// UDP datagrams are independent, so a jitter wider than the gap between
/// two sends reorders them. A plain value.

#include <chrono>

namespace pollen::sim {

struct LinkConfig {
    std::chrono::nanoseconds min_latency = std::chrono::milliseconds(1);
    std::chrono::nanoseconds max_latency = std::chrono::milliseconds(5);
    /// Probability in [0, 1] that a UDP datagram is dropped.
    double udp_loss = 0.0;
};

}  // namespace pollen::sim
