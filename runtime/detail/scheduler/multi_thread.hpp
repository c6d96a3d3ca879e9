#pragma once
/// The multi-thread, work-stealing scheduler (Tokio's `new_multi_thread`).
///
/// Each worker runs tasks from, in order: its LIFO slot (the task it woke
/// last, for message-passing locality; at most 3 in a row so it cannot starve
/// the queue), its local queue, and every 61 ticks the global inject queue
/// first (a tick is a task taken from anywhere but the LIFO slot: a LIFO
/// task runs in the tick of the task that woke it, as in Tokio). Out of work, a worker becomes "searching" (at most half of the
/// workers search at once) and steals half of another worker's queue, then
/// looks at the inject queue; still nothing, it parks, or, when tasks
/// yielded (yield_now, defer.hpp), takes a non-blocking driver turn and
/// queues them again. The every-61-ticks turn also wakes the yielders, so
/// they run even on a worker that never runs dry. A producer wakes a
/// parked worker only when nobody is searching, and a parking worker
/// re-checks every queue after announcing that it sleeps, so no wake-up is
/// lost between the two.
///
/// The global inject queue is inject.hpp, the searching/sleeping bookkeeping
/// idle.hpp, a worker's own queue local_queue.hpp; this file is the worker
/// loop that ties them together.
///
/// `block_in_place` on a worker hands that worker (its queues, its LIFO slot,
/// its parker) to a new thread, which carries on as the worker; the calling
/// thread finishes the task's poll, blocking as it likes, then exits.
/// So a Worker is run by one thread at a time, not always the same one.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "../../builder.hpp"
#include "../scheduler.hpp"
#include "idle.hpp"
#include "inject.hpp"
#include "local_queue.hpp"

namespace pollen::detail {

class MultiThreadScheduler final : public Scheduler {
public:
    MultiThreadScheduler(const Builder::Config& config, std::shared_ptr<Driver> driver);
    ~MultiThreadScheduler() override;

    void start();  // after construction (workers need shared_from_this)

    void schedule(Header* task) override;
    void schedule_yield(Header* task) override;
    std::shared_ptr<Parker> block_on_parker() override { return Parker::for_block_on(); }
    void drive_until_woken(BlockOnSignal& signal) override;
    void shutdown() override;
    void fill_metrics(RuntimeMetrics& m) override;
    bool begin_block_in_place() override;

    /// Written only by the thread that runs the worker (add_single_writer),
    /// read by metrics from any thread.
    struct WorkerStats {
        std::atomic<std::uint64_t> polls{0}, steals{0}, stolen_tasks{0}, parks{0};
    };
    std::size_t num_workers() const { return workers_.size(); }
    const WorkerStats& stats(std::size_t i) const { return workers_[i]->stats; }
    std::size_t inject_depth() const { return inject_.len(); }

private:
    struct Worker {
        std::size_t index = 0;
        LocalQueue queue;
        Header* lifo = nullptr;
        std::unique_ptr<Parker> parker;
        bool searching = false;
        // Set while this worker turns the reactor: the tasks its events wake
        // pile up in the local queue without waking a sleeper each; one
        // notify after the turn is enough (Tokio's core.park being taken).
        bool in_driver = false;
        // Set while this worker wakes its deferred yielders (defer.hpp):
        // they go to the back of its queue, not to the LIFO slot.
        bool waking_deferred = false;
        // Set while this worker polls a task: the one place where
        // block_in_place may hand it off (its thread leaves the loop right after).
        bool polling = false;
        std::uint32_t tick = 0;
        std::uint32_t lifo_streak = 0;
        std::uint64_t rng = 0;
        WorkerStats stats;
    };

    void start_thread(Worker& w);
    /// Runs `w` until shutdown (true) or until this thread gave it away (false).
    bool worker_main(Worker& w);
    Header* next_local(Worker& w);
    Header* search(Worker& w);
    /// A non-blocking driver turn, then the thread's deferred yielders.
    void turn_then_wake_deferred(Worker& w);
    /// Wakes this thread's yielders (defer.hpp) into `w`'s queue.
    void wake_deferred(Worker& w);
    void run(Worker& w, Header* task);
    void park(Worker& w);
    bool transition_to_searching(Worker& w);
    void transition_from_searching(Worker& w);
    void notify_parked();
    void notify_if_work_piled_up(Worker& w);
    bool any_work_visible();
    void push_local(Worker& w, Header* task);
    Worker* current_worker();

    Builder::Config config_;
    std::vector<std::unique_ptr<Worker>> workers_;

    Inject inject_;
    Idle idle_;

    // Every thread that runs or ran a worker and has not exited yet: shutdown
    // joins them all, hand-offs included; a thread that gave its worker away
    // removes itself (detached) when its last poll is over.
    std::mutex threads_mu_;
    std::vector<std::thread> threads_;

    std::atomic<bool> shutdown_{false};
    std::once_flag shutdown_once_;
};

}  // namespace pollen::detail
