#include "simulation.hpp"

#include <cinttypes>
#include <cstdio>

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

}  // namespace pollen::sim
