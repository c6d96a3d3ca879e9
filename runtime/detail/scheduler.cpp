#include "scheduler.hpp"

#include <stdexcept>

namespace pollen::detail {

namespace {
thread_local Scheduler* tls_current = nullptr;
}

Scheduler* current_scheduler() { return tls_current; }

EnterGuard::EnterGuard(Scheduler* s, bool may_block)
    : previous_(tls_current), previous_may_block_(exchange_may_block(may_block)),
      reactor_(s && s->driver ? &s->driver->reactor() : nullptr) {
    tls_current = s;
}
EnterGuard::~EnterGuard() {
    tls_current = previous_;
    exchange_may_block(previous_may_block_);
}

Scheduler& Scheduler::blocking_pool_or_throw() {
    // Only a simulation has no pool: a blocking closure runs on a real
    // thread, whose timing no seed decides.
    if (!blocking_pool)
        throw std::logic_error(
            "pollen::spawn_blocking is refused inside a simulation: the closure would run on a real thread, "
            "which would make the run depend on the OS (so are fs:: operations and lookup_host, which use it)");
    return *blocking_pool;
}

void Scheduler::submit_new(Header* task) {
    on_task_submitted(task);
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
