#include "scheduler.hpp"

namespace pollen::detail {

namespace {
thread_local Scheduler* tls_current = nullptr;
}

Scheduler* current_scheduler() { return tls_current; }

EnterGuard::EnterGuard(Scheduler* s) : previous_(tls_current) { tls_current = s; }
EnterGuard::~EnterGuard() { tls_current = previous_; }

void Scheduler::submit_new(Header* task) {
    spawned_.fetch_add(1, std::memory_order_relaxed);
    if (owned_.bind(task)) {
        schedule(task);
        return;
    }
    // Shutting down: the task is cancelled before it ever runs. Give back the
    // list reference (never linked) and the queue reference (never queued).
    shutdown_task(task);
    drop_reference(task, 2);
}

}  // namespace pollen::detail
