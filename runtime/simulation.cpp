#include "simulation.hpp"

#include <cinttypes>
#include <cstdio>
#include <stdexcept>

#include "detail/scheduler/simulation.hpp"

namespace pollen::sim {

namespace {
detail::SimulationScheduler* current_simulation() {
    return dynamic_cast<detail::SimulationScheduler*>(detail::current_scheduler());
}
}  // namespace

std::string Stats::to_string() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "seed=%" PRIu64 " events=%" PRIu64 " hash=%016" PRIx64, seed, events, hash);
    return buf;
}

std::uint64_t random_below(std::uint64_t n) {
    detail::SimulationScheduler* s = current_simulation();
    if (!s) throw std::logic_error("pollen::sim::random_below called outside a simulation runtime");
    return s->random_below(n);
}

bool in_simulation() { return current_simulation() != nullptr; }

namespace {
detail::SimulationScheduler& simulation_or_throw(const char* what) {
    detail::SimulationScheduler* s = current_simulation();
    if (!s) throw std::logic_error(std::string("pollen::sim::") + what + " called outside a simulation runtime");
    return *s;
}
}  // namespace

std::chrono::nanoseconds elapsed() { return simulation_or_throw("elapsed").stats().elapsed; }

NodeId new_node() { return simulation_or_throw("new_node").new_node(); }

NodeId current_node() {
    detail::SimulationScheduler* s = current_simulation();
    return s ? s->current_node() : 0;
}

std::size_t kill_node(NodeId node) { return simulation_or_throw("kill_node").kill_node(node); }

void record_event(std::uint8_t kind, std::uint64_t value) { simulation_or_throw("record_event").record(kind, value); }

NodeScope::NodeScope(NodeId node) : previous_(simulation_or_throw("NodeScope").set_current_node(node)) {}

NodeScope::~NodeScope() {
    if (detail::SimulationScheduler* s = current_simulation()) s->set_current_node(previous_);
}

}  // namespace pollen::sim
