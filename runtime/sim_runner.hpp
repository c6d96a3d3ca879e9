#pragma once
/// sim::run_seeds: runs a scenario on a fresh simulation runtime
/// (Builder::new_simulation) for seeds first_seed, first_seed + 1, ... and
/// stops at the first that fails, printing that seed and how to replay it:
///
///     auto report = pollen::sim::run_seeds(1000, [](pollen::Runtime& rt) {
///         rt.block_on(my_scenario());   // throws when an invariant breaks
///     });
///     if (!report.ok()) return 1;       // stderr names the seed
///
/// The scenario runs inside the runtime (under `rt.enter()`), so the
/// timers it makes before block_on (`rt.block_on(time::timeout(1s, f))`)
/// read the virtual clock.
///
/// A seed fails when the scenario throws (any exception: its own checks,
/// sim::SimulationDeadlock, sim::TimeLimitExceeded, a JoinError it rethrew)
/// or, with `check_determinism`, when two runs of the seed end with
/// different stats. GoogleTest's EXPECT/ASSERT inside a scenario do not
/// throw: they record the failure but the runner goes on; throw instead.
/// With POLLEN_SIM_SEED=S in the environment only seed S runs (a replay).
///
/// Threads: call it on a thread outside any runtime; the scenario runs on it.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "runtime.hpp"
#include "simulation.hpp"

namespace pollen::sim {

struct RunOptions {
    std::uint64_t first_seed = 0;
    /// Builder::simulation_time_limit for every run (default: none).
    std::optional<std::chrono::nanoseconds> time_limit;
    /// Builder::simulation_event_limit for every run (default: none).
    std::optional<std::uint64_t> event_limit;
    /// Runs each seed twice and fails it if the two runs' stats differ.
    bool check_determinism = false;
    /// Where a failure is reported (nullptr: nowhere).
    std::FILE* report_to = stderr;
};

struct Failure {
    std::uint64_t seed = 0;
    std::string message;
    /// The run's stats when it failed (absent if it failed before a runtime existed).
    std::optional<Stats> stats;
};

struct RunReport {
    /// Seeds run, the failing one included.
    std::uint64_t seeds_run = 0;
    std::optional<Failure> failure;
    bool ok() const { return !failure; }
};

using Scenario = std::function<void(Runtime&)>;

RunReport run_seeds(std::uint64_t n, const Scenario& scenario, const RunOptions& options = {});

/// One seed: builds the runtime, runs the scenario, returns its stats;
/// whatever the scenario throws propagates.
Stats run_seed(std::uint64_t seed, const Scenario& scenario, const RunOptions& options = {});

}  // namespace pollen::sim
