#pragma once
/// LocalScheduler: the scheduler behind a LocalSet (Tokio's LocalSet
/// `Shared`). Its tasks are ordinary tasks (detail::Cell) whose scheduler is
/// this object: a wake from any thread pushes the task to one mutex-guarded
/// queue and wakes whoever drives the set; the set's owner thread runs them
/// in `tick`, inside its own poll. Nothing here ever runs a task on another
/// thread, which is the whole point.
///
/// Like the runtime's schedulers, it must outlive its tasks' scheduling:
/// `shutdown` (the LocalSet's destructor) completes every task, after which
/// no wake reaches `schedule` again.

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "../../../core/atomic_waker.hpp"
#include "../scheduler.hpp"

namespace pollen::detail {

class LocalScheduler final : public Scheduler {
public:
    LocalScheduler() = default;
    ~LocalScheduler() override;

    /// From any thread: queues the task and wakes the set's driver (not when
    /// the set is being driven on this very thread: its tick sees the queue).
    void schedule(Header* task) override;
    /// A LocalSet is not a runtime: block_on goes through the runtime.
    std::shared_ptr<Parker> block_on_parker() override;
    void drive_until_woken(BlockOnSignal& signal) override;
    /// Closes the set and cancels every unfinished task on the calling thread.
    void shutdown() override;
    void fill_metrics(RuntimeMetrics& m) override;

    /// Starts one drive (a poll of run_until's future or of the LocalSet) on
    /// this thread: checks the thread and the runtime context (throws
    /// std::logic_error), takes the runtime's per-task settings and stores
    /// `waker` as the one to wake when a task is queued.
    void begin_drive(const Waker& waker);
    /// Runs at most Tokio's 61 queued tasks, each with a task's budget; true
    /// when some are still queued.
    bool tick();
    /// No task left (complete or cancelled).
    bool is_empty() const { return owned_.alive() == 0; }

private:
    Header* pop();

    std::mutex mu_;
    std::deque<Header*> queue_;  // under mu_
    bool closed_ = false;        // under mu_
    AtomicWaker waker_;
    std::atomic<std::thread::id> owner_{};  // the thread that first drove the set
    std::atomic<std::uint64_t> polls_{0};
};

/// The LocalSet being driven on this thread (the innermost), or null.
LocalScheduler* current_local_scheduler();

/// Makes `s` the LocalSet driven on this thread for its lifetime; nests.
class LocalDriveGuard {
public:
    explicit LocalDriveGuard(LocalScheduler* s);
    ~LocalDriveGuard();
    LocalDriveGuard(const LocalDriveGuard&) = delete;
    LocalDriveGuard& operator=(const LocalDriveGuard&) = delete;

private:
    LocalScheduler* previous_;
};

}  // namespace pollen::detail
