#pragma once
/// Deterministic simulation (`Builder::new_simulation(seed)`): what a run
/// reports and how it stops. A simulation runtime runs every task on the
/// thread in `block_on`, picks the next one to poll with a PRNG seeded by
/// `seed`, and keeps a virtual clock that jumps to the next timer whenever
/// nothing can run; the same seed gives the same run, event for event. The
/// guide is docs/simulation.md; the runner is sim_runner.hpp.
///
/// - `sim::Stats`: the seed, the length and FNV-1a hash of the event log
///   (spawns and wakes, polls, clock jumps), and the virtual time elapsed:
///   `Runtime::simulation_stats()`. Two runs of a seed have equal stats.
/// - `sim::SimulationDeadlock`: thrown by `block_on` when its future is
///   pending, no task can run and no timer is armed, so nothing could ever
///   happen again; its message lists each live task (id, state, spawn
///   location) and the seed to replay.
/// - `sim::TimeLimitExceeded`: thrown by `block_on` when the next timer
///   lies past `Builder::simulation_time_limit` (a liveness bound).
/// - `sim::EventLimitExceeded`: thrown by `block_on` once the run logged
///   more events than `Builder::simulation_event_limit` (a livelock that
///   never sleeps).
/// - `sim::SimulationError`: their base, also thrown when a task is woken
///   from another thread (a real thread's timing would decide the run).
/// - `sim::random_below(n)`: seeded randomness for the scenario itself
///   (which message to drop, which key to write), from a stream of its own,
///   so drawing it does not change the schedule's draws.
///
/// - Nodes (`sim::NodeId`): named groups of tasks, what a simulated host's
///   tasks are (net/sim_network.hpp builds hosts on them). `new_node()`
///   makes one; a `NodeScope` makes the spawns of its scope (and,
///   transitively, their spawns) tasks of that node; `current_node()` is the
///   node of the task being polled; `kill_node(n)` destroys every task of
///   the node at once, as a machine's crash would.
/// - `sim::record_event(kind, value)`: adds an event of a layer above the
///   runtime (the simulated network's deliveries and drops) to the log, so
///   that it counts in the hash.
///
/// What a simulation refuses with std::logic_error: spawn_blocking (so the
/// fs:: functions and lookup_host of a name), block_in_place, real sockets
/// (with a sim::Network, net/sim_network.hpp, TCP and UDP are simulated),
/// pipes, signals and child processes, and time::resume().
///
/// Threads: the types are plain values; random_below and in_simulation act
/// on the runtime the calling thread is in.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace pollen::sim {

struct Stats {
    std::uint64_t seed = 0;
    /// Events logged so far, and the FNV-1a 64 hash of the log.
    std::uint64_t events = 0;
    std::uint64_t hash = 0;
    /// Virtual time since the runtime was built.
    std::chrono::nanoseconds elapsed{0};

    /// "seed=S events=N hash=H" (H: 16 hex digits), the line a run prints last.
    std::string to_string() const;
    bool operator==(const Stats&) const = default;
};

class SimulationError : public std::runtime_error {
public:
    SimulationError(const std::string& what, Stats stats) : std::runtime_error(what), stats_(stats) {}
    /// The run's stats when it stopped.
    const Stats& stats() const { return stats_; }

private:
    Stats stats_;
};

class SimulationDeadlock : public SimulationError {
public:
    using SimulationError::SimulationError;
};

class TimeLimitExceeded : public SimulationError {
public:
    using SimulationError::SimulationError;
};

class EventLimitExceeded : public SimulationError {
public:
    using SimulationError::SimulationError;
};

/// A number in [0, n) from the current simulation's seed (0 when n is 0).
/// Throws std::logic_error outside a simulation runtime.
std::uint64_t random_below(std::uint64_t n);

/// True inside a simulation runtime (a task, or its block_on).
bool in_simulation();

/// The virtual time since the current simulation started (what a trace
/// line is stamped with); std::logic_error outside one.
std::chrono::nanoseconds elapsed();

/// A group of tasks (a simulated machine's); 0 is none: the tasks spawned
/// outside every NodeScope, and block_on's future.
using NodeId = std::uint32_t;

/// A fresh node of the current simulation (std::logic_error outside one).
NodeId new_node();
/// The node of the task being polled (0: none, or outside a simulation).
NodeId current_node();
/// Cancels every task of `node` now, in spawn order: each idle one's future
/// is destroyed before this returns (its JoinHandle reports cancelled); the
/// calling task, if it is one of them, is cancelled after its poll. Returns
/// how many tasks it cancelled. std::logic_error outside a simulation.
std::size_t kill_node(NodeId node);
/// Adds (kind, value) to the event log and its hash. Kinds below 16 are
/// the scheduler's own.
void record_event(std::uint8_t kind, std::uint64_t value);

/// While alive, spawns from this thread make tasks of `node` (block_on's
/// future or a task may open one: Network::host does); nests. Threads: the
/// simulation's, on the stack.
class NodeScope {
public:
    explicit NodeScope(NodeId node);
    ~NodeScope();
    NodeScope(const NodeScope&) = delete;
    NodeScope& operator=(const NodeScope&) = delete;

private:
    NodeId previous_;
};

}  // namespace pollen::sim
