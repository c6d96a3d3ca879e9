#include "local_scheduler.hpp"

#include <stdexcept>

#include "../../../core/detail/single_writer.hpp"

namespace pollen::detail {

namespace {
thread_local LocalScheduler* tls_local = nullptr;

// Tokio's MAX_TASKS_PER_TICK: how many local tasks one drive runs before the
// driver's own future (and the rest of its runtime) gets a turn.
constexpr int kTasksPerTick = 61;
}  // namespace

LocalScheduler* current_local_scheduler() { return tls_local; }

LocalDriveGuard::LocalDriveGuard(LocalScheduler* s) : previous_(tls_local) { tls_local = s; }
LocalDriveGuard::~LocalDriveGuard() { tls_local = previous_; }

LocalScheduler::~LocalScheduler() { shutdown(); }

void LocalScheduler::schedule(Header* task) {
    {
        std::lock_guard lock(mu_);
        if (!closed_) {
            queue_.push_back(task);
            // Under the lock, as the current-thread flavour does: once
            // queued, the owner may run the task to its end and destroy the
            // set; shutdown takes this lock first, so it waits for this wake.
            if (tls_local != this) waker_.wake();
            return;
        }
    }
    // Shut down: the task was cancelled; only this queue reference is left.
    drop_reference(task);
}

std::shared_ptr<Parker> LocalScheduler::block_on_parker() {
    throw std::logic_error("pollen: a LocalSet has no block_on of its own; use LocalSet::block_on(rt, fut)");
}

void LocalScheduler::drive_until_woken(BlockOnSignal&) {
    throw std::logic_error("pollen: a LocalSet has no block_on of its own; use LocalSet::block_on(rt, fut)");
}

void LocalScheduler::begin_drive(const Waker& waker) {
    Scheduler* rt = current_scheduler();
    if (!rt)
        throw std::logic_error(
            "pollen: a LocalSet must be driven inside a runtime: use LocalSet::block_on(rt, fut), or "
            "await run_until(fut) / the LocalSet from Runtime::block_on or a task");
    std::thread::id me = std::this_thread::get_id();
    std::thread::id owner{};
    if (!owner_.compare_exchange_strong(owner, me, std::memory_order_acq_rel) && owner != me)
        throw std::logic_error(
            "pollen: a LocalSet was polled on a thread other than the one that first drove it; its "
            "tasks are not thread-safe and must stay on that thread. Drive it with LocalSet::block_on, "
            "or from block_on or a task of a current-thread runtime on that thread, never from a task "
            "of a multi-thread runtime (it may move between workers)");
    // The local tasks are the runtime's tasks in all but their queue: they
    // get its slow-poll threshold and lost-waker detection.
    slow_poll_ns = rt->slow_poll_ns;
    detect_lost_wakers = rt->detect_lost_wakers;
    waker_.register_waker(waker);
}

Header* LocalScheduler::pop() {
    std::lock_guard lock(mu_);
    if (queue_.empty()) return nullptr;
    Header* t = queue_.front();
    queue_.pop_front();
    return t;
}

bool LocalScheduler::tick() {
    for (int i = 0; i < kTasksPerTick; ++i) {
        Header* t = pop();
        if (!t) return false;
        add_single_writer(polls_, 1);
        run_task(t);  // a fresh cooperative budget per task, as every task gets
    }
    std::lock_guard lock(mu_);
    return !queue_.empty();
}

void LocalScheduler::fill_metrics(RuntimeMetrics& m) {
    m.workers = 0;
    m.polls = polls_.load(std::memory_order_relaxed);
    std::lock_guard lock(mu_);
    m.global_queue_depth = queue_.size();
}

void LocalScheduler::shutdown() {
    {
        std::lock_guard lock(mu_);
        if (closed_) return;
        closed_ = true;
    }
    owned_.close_and_drain([](Header* t) {
        shutdown_task(t);
        drop_reference(t);  // the list's reference
    });
    // Queue entries hold references only; their tasks are complete now.
    std::deque<Header*> queued;
    {
        std::lock_guard lock(mu_);
        queued.swap(queue_);
    }
    for (Header* t : queued) drop_reference(t);
    (void)waker_.take();  // let go of the driver's task
}

}  // namespace pollen::detail
