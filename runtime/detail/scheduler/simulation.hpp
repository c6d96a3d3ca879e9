#pragma once
/// The simulation scheduler (Builder::new_simulation): a deterministic
/// flavour for testing. Like the current-thread one, tasks run only on the
/// thread inside `block_on`; unlike it, the next task to poll (block_on's
/// own future among them, when woken) is drawn by a PRNG seeded with the
/// run's seed, and it never waits in the OS: when nothing can run it jumps
/// the reactor's virtual clock to the next timer (through the Driver), and
/// when no timer is armed either it throws sim::SimulationDeadlock, listing
/// the live tasks. Every spawn or wake, poll and clock jump is an event of
/// the run's log, hashed as it goes (sim::Stats).
///
/// Threads: one. The thread that built the runtime drives it; a task woken
/// from any other thread (a std::thread the scenario made) cannot be placed
/// deterministically, so the next drive throws sim::SimulationError.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../../simulation.hpp"
#include "../defer.hpp"
#include "../scheduler.hpp"
#include "sim_rng.hpp"

namespace pollen::detail {

/// Where every simulation's virtual clock starts, so that Instants replay
/// too: 100 years after steady_clock's epoch (the machine's boot), later
/// than any real reading. A deadline computed from the real clock (a timer
/// made outside the runtime) is then always already past, the same in
/// every run, rather than due at a time that depends on the uptime; and
/// 30 years of far_future still fit in the 292 of a nanosecond count.
inline constexpr std::chrono::steady_clock::time_point kSimulationStart{std::chrono::hours(24 * 365 * 100)};

class SimulationScheduler final : public Scheduler {
public:
    SimulationScheduler(std::shared_ptr<Driver> driver, std::uint64_t seed,
                        std::optional<std::chrono::nanoseconds> time_limit,
                        std::optional<std::uint64_t> event_limit = std::nullopt);
    ~SimulationScheduler() override;

    void schedule(Header* task) override;
    std::shared_ptr<Parker> block_on_parker() override { return parker_; }
    void enter_block_on() override;
    void exit_block_on() override;
    void drive_until_woken(BlockOnSignal& signal) override;
    bool begin_block_in_place() override;
    void shutdown() override;
    void fill_metrics(RuntimeMetrics& m) override;

    sim::Stats stats() const;
    /// The scenario's own stream (sim::random_below).
    std::uint64_t random_below(std::uint64_t n) { return user_rng_.below(n); }

    // ---- nodes (sim::NodeId): which tasks make up a simulated machine ----
    sim::NodeId new_node() { return ++last_node_; }
    sim::NodeId current_node() const { return current_node_; }
    /// Returns the previous one.
    sim::NodeId set_current_node(sim::NodeId n) { return std::exchange(current_node_, n); }
    std::size_t kill_node(sim::NodeId n);
    void record(std::uint8_t kind, std::uint64_t value) { log_.add(kind, value); }

protected:
    void on_task_submitted(Header* task) override;
    void on_task_released(Header* task) override;

private:
    // The kinds of logged events (the first byte each adds to the hash).
    enum Event : std::uint8_t { kScheduled = 1, kPolled = 2, kPolledRoot = 3, kClockJump = 4, kKilled = 5 };

    /// Nothing can run: jump the clock to the next timer, or throw.
    void advance_or_stop();
    /// The driver's turn without a clock jump, then the deferred yielders.
    void turn_then_wake_deferred(Defer& defer);
    /// Each live task, one line each, by id.
    std::string live_tasks();
    std::string replay_hint() const;

    std::shared_ptr<Parker> parker_;
    std::thread::id owner_;
    std::optional<std::chrono::nanoseconds> time_limit_;
    std::uint64_t event_limit_;  // UINT64_MAX: none
    std::uint64_t seed_;
    SimRng sched_rng_;  // which runnable task is polled next
    SimRng user_rng_;   // sim::random_below
    std::uint64_t select_rng_;           // select_on's branch order (core's thread_rng) while driving
    std::uint64_t saved_thread_rng_ = 0;  // the driving thread's own, put back after block_on
    EventHash log_;
    std::vector<Header*> runnable_;  // the owner thread's; order is part of the run
    bool closed_ = false;
    std::uint64_t polls_ = 0;
    // Tokio's event_interval: polls between two driver turns at most, while
    // yielders wait for one.
    static constexpr std::uint64_t kPollsPerTurn = 61;
    std::uint64_t polls_since_turn_ = 0;
    // Nodes: the task being polled's, and each live task's that has one
    // (spawned inside a NodeScope, or by a task of a node).
    sim::NodeId last_node_ = 0;
    sim::NodeId current_node_ = 0;
    std::unordered_map<const Header*, sim::NodeId> node_of_;

    // Wakes from other threads: kept (under the lock) only to be given back.
    std::mutex foreign_mu_;
    std::vector<Header*> foreign_;
    bool foreign_closed_ = false;  // under foreign_mu_
    std::atomic<bool> foreign_woken_{false};
};

}  // namespace pollen::detail
