// The task state machine: every transition of the state word, the task's
// Waker, and what completion and cancellation do.
#include "task.hpp"

#include <spdlog/spdlog.h>
#include <time.h>

#include <cassert>
#include <thread>

#include "../../core/coop.hpp"
#include "../../core/log.hpp"
#include "scheduler.hpp"

namespace pollen::detail {

using namespace task_state;

namespace {

// The coarse clock costs a few ns (no syscall, no TSC read); its ~4 ms
// resolution is plenty for a 10 ms slow-poll threshold and for dumps.
std::int64_t coarse_now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void warn_slow_poll(const Header* t, std::int64_t took_ns) {
    detail::log().warn(
        "task {} spawned at {}:{} ({}) blocked its thread for {} ms in one poll; "
        "move blocking work to spawn_blocking",
        t->id, t->location.file_name(), t->location.line(), t->location.function_name(),
        took_ns / 1'000'000);
}

void warn_lost_waker(const Header* t) {
    detail::log().warn(
        "task {} spawned at {}:{} ({}) returned Pending holding no clone of its waker and was not "
        "woken: nothing can ever wake it again (a lost waker). A future must store cx.waker() "
        "(or wake it) before it returns Pending",
        t->id, t->location.file_name(), t->location.line(), t->location.function_name());
}

/// The tasks whose poll or cancellation is on this thread's stack, innermost
/// first: a reaper must not wait for one of them (it would wait for itself).
struct OnStack {
    const Header* task;
    OnStack* outer;
};
thread_local OnStack* tls_on_stack = nullptr;

class OnStackGuard {
public:
    explicit OnStackGuard(const Header* t) : entry_{t, tls_on_stack} { tls_on_stack = &entry_; }
    ~OnStackGuard() { tls_on_stack = entry_.outer; }
    OnStackGuard(const OnStackGuard&) = delete;
    OnStackGuard& operator=(const OnStackGuard&) = delete;

private:
    OnStack entry_;
};

/// Marks the task complete and hands the output to the JoinHandle, or destroys
/// it when none will read it. The caller holds the RUNNING right and one reference.
void complete(Header* t) {
    std::uint64_t prev = t->state.load(std::memory_order_relaxed);
    while (!t->state.compare_exchange_weak(prev, (prev & ~kRunning) | kComplete,
                                           std::memory_order_acq_rel, std::memory_order_relaxed)) {
    }
    // While our reference keeps the header alive: once woken, the reaper
    // may let go of its own.
    if (prev & kReapWaiting) t->state.notify_all();
    if (prev & kJoinInterest) t->join_waker.wake();
    else t->vtable->drop_output(t);
    std::uint64_t refs = 1;
    if (t->scheduler->release(t)) ++refs;
    drop_reference(t, refs);
}

void cancel_and_complete(Header* t) {
    {
        OnStackGuard on_stack(t);  // the future's destructor may reap its own scope
        t->vtable->cancel(t);
    }
    complete(t);
}

// Wake paths. Only the wake that sets NOTIFIED on an idle task submits it.
void wake_by_ref_impl(Header* t) {
    std::uint64_t cur = t->state.load(std::memory_order_acquire);
    for (;;) {
        if (cur & (kComplete | kNotified)) return;
        std::uint64_t next = cur | kNotified;
        bool submit = !(cur & kRunning);
        if (submit) next += kRefOne;  // the queue's reference
        if (t->state.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                           std::memory_order_acquire)) {
            if (submit) t->scheduler->schedule(t);
            return;
        }
    }
}

void wake_by_val_impl(Header* t) {
    std::uint64_t cur = t->state.load(std::memory_order_acquire);
    for (;;) {
        if (cur & (kComplete | kNotified)) {
            drop_reference(t);
            return;
        }
        if (cur & kRunning) {
            // The runner re-submits it; our reference is not needed (the
            // runner holds one, so this cannot be the last).
            std::uint64_t next = (cur | kNotified) - kRefOne;
            if (t->state.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                               std::memory_order_acquire))
                return;
            continue;
        }
        // Idle: our reference becomes the queue's.
        if (t->state.compare_exchange_weak(cur, cur | kNotified, std::memory_order_acq_rel,
                                           std::memory_order_acquire)) {
            t->scheduler->schedule(t);
            return;
        }
    }
}

Header* header_of(const void* data) { return static_cast<Header*>(const_cast<void*>(data)); }
RawWaker waker_clone(const void* data);
void waker_wake(const void* data) { wake_by_val_impl(header_of(data)); }
void waker_wake_by_ref(const void* data) { wake_by_ref_impl(header_of(data)); }
void waker_drop(const void* data) { drop_reference(header_of(data)); }

}  // namespace

const RawWakerVTable task_waker_vtable{waker_clone, waker_wake, waker_wake_by_ref, waker_drop};

namespace {
RawWaker waker_clone(const void* data) {
    header_of(data)->state.fetch_add(kRefOne, std::memory_order_relaxed);
    return {data, &task_waker_vtable};
}

// The counting vtable. A clone's count is given back only after its wake
// set NOTIFIED, so "no clone alive" read before "not NOTIFIED" never misses
// a wake that came from the last clone (run_task reads them in that order).
RawWaker counting_clone(const void* data) {
    Header* t = header_of(data);
    t->waker_clones.fetch_add(1, std::memory_order_seq_cst);
    t->state.fetch_add(kRefOne, std::memory_order_relaxed);
    return {data, &counting_task_waker_vtable};
}
void counting_wake(const void* data) {
    Header* t = header_of(data);
    wake_by_ref_impl(t);
    t->waker_clones.fetch_sub(1, std::memory_order_seq_cst);
    drop_reference(t);
}
void counting_drop(const void* data) {
    Header* t = header_of(data);
    t->waker_clones.fetch_sub(1, std::memory_order_seq_cst);
    drop_reference(t);
}
}  // namespace

const RawWakerVTable counting_task_waker_vtable{counting_clone, counting_wake, waker_wake_by_ref, counting_drop};

void drop_reference(Header* t, std::uint64_t n) {
    std::uint64_t prev = t->state.fetch_sub(n * kRefOne, std::memory_order_acq_rel);
    assert(refs(prev) >= n);
    if (refs(prev) == n) t->vtable->dealloc(t);
}

bool is_complete(const Header* t) {
    return t->state.load(std::memory_order_acquire) & kComplete;
}

void run_task(Header* t) {
    std::uint64_t cur = t->state.load(std::memory_order_acquire);
    for (;;) {
        assert(cur & kNotified);
        if (cur & (kRunning | kComplete)) {
            // Cannot happen while only NOTIFIED submits; be safe all the same.
            drop_reference(t);
            return;
        }
        if (t->state.compare_exchange_weak(cur, (cur & ~kNotified) | kRunning,
                                           std::memory_order_acq_rel, std::memory_order_acquire))
            break;
    }
    if (cur & kCancelled) {
        cancel_and_complete(t);
        return;
    }

    // The poll borrows the queue's reference: this Waker owns none.
    const bool detect_lost = t->scheduler->detect_lost_wakers;
    Waker waker(RawWaker{t, detect_lost ? &counting_task_waker_vtable : &task_waker_vtable});
    Context cx(waker);
    t->polls.fetch_add(1, std::memory_order_relaxed);
    std::int64_t started = coarse_now_ns();
    t->last_poll_ns.store(started, std::memory_order_relaxed);
    bool done;
    {
        coop::BudgetScope budget;
        OnStackGuard on_stack(t);
        done = t->vtable->poll_future(t, cx);
    }
    (void)std::move(waker).into_raw();
    std::int64_t threshold = t->scheduler->slow_poll_ns;
    if (threshold > 0) {
        std::int64_t took = coarse_now_ns() - started;
        if (took > threshold) warn_slow_poll(t, took);
    }
    if (done) {
        complete(t);
        return;
    }
    if (detect_lost && t->waker_clones.load(std::memory_order_seq_cst) == 0 &&
        !(t->state.load(std::memory_order_seq_cst) & (kNotified | kCancelled))) {
        warn_lost_waker(t);  // first, so that whoever sees the count also finds the warning
        t->scheduler->lost_wakers.fetch_add(1, std::memory_order_release);
    }

    cur = t->state.load(std::memory_order_acquire);
    for (;;) {
        if (cur & kCancelled) {
            cancel_and_complete(t);
            return;
        }
        if (cur & kNotified) {
            // Woken during its own poll: keep the reference for the queue.
            if (t->state.compare_exchange_weak(cur, cur & ~kRunning, std::memory_order_acq_rel,
                                               std::memory_order_acquire)) {
                t->scheduler->schedule_yield(t);
                return;
            }
            continue;
        }
        std::uint64_t next = (cur & ~kRunning) - kRefOne;
        if (t->state.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                           std::memory_order_acquire)) {
            if (refs(next) == 0) t->vtable->dealloc(t);
            return;
        }
    }
}

void shutdown_task(Header* t) {
    std::uint64_t cur = t->state.load(std::memory_order_acquire);
    for (;;) {
        if (cur & kComplete) return;
        bool idle = !(cur & kRunning);
        std::uint64_t next = cur | kCancelled | (idle ? kRunning : 0);
        if (t->state.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                           std::memory_order_acquire)) {
            if (!idle) return;  // its runner cancels it after the poll
            // We hold the RUNNING right; complete() needs a reference of ours.
            t->state.fetch_add(kRefOne, std::memory_order_relaxed);
            cancel_and_complete(t);
            return;
        }
    }
}

void drop_join_handle(Header* t) {
    std::uint64_t cur = t->state.load(std::memory_order_acquire);
    for (;;) {
        if (cur & kComplete) {
            // The output is ours to destroy (if it was not read).
            t->vtable->drop_output(t);
            break;
        }
        if (t->state.compare_exchange_weak(cur, cur & ~kJoinInterest, std::memory_order_acq_rel,
                                           std::memory_order_acquire)) {
            // Completion no longer wakes it, so the waker a poll of the handle
            // stored is ours to let go now: kept, it would pin the waiting
            // task (or whatever the waker owns) until this task ends.
            (void)t->join_waker.take();
            break;
        }
    }
    drop_reference(t);
}

void abort_task(Header* t) {
    std::uint64_t cur = t->state.load(std::memory_order_acquire);
    for (;;) {
        if (cur & (kComplete | kCancelled)) return;
        std::uint64_t next = cur | kCancelled;
        bool submit = !(cur & (kRunning | kNotified));
        if (submit) next = next + kRefOne + kNotified;
        if (t->state.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                           std::memory_order_acquire)) {
            if (submit) t->scheduler->schedule(t);
            return;
        }
    }
}

bool running_on_this_thread(const Header* t) {
    for (const OnStack* e = tls_on_stack; e; e = e->outer)
        if (e->task == t) return true;
    return false;
}

ReapDecision reap_transition(std::uint64_t cur, bool running_here) {
    if (cur & kComplete) return {ReapAction::kNothing, cur};
    if (!(cur & kRunning)) return {ReapAction::kCancelHere, cur | kRunning | kCancelled};
    if (running_here) return {ReapAction::kNothing, cur | kCancelled};
    return {ReapAction::kWaitForRunner, cur | kCancelled | kReapWaiting};
}

bool start_reap(Header* t) {
    const bool here = running_on_this_thread(t);
    std::uint64_t cur = t->state.load(std::memory_order_acquire);
    for (;;) {
        ReapDecision d = reap_transition(cur, here);
        if (d.next != cur && !t->state.compare_exchange_weak(cur, d.next, std::memory_order_acq_rel,
                                                              std::memory_order_acquire))
            continue;
        switch (d.action) {
            case ReapAction::kNothing:
                return false;
            case ReapAction::kCancelHere:
                // As shutdown_task: we hold the RUNNING right, and complete()
                // gives back a reference, which must be ours.
                t->state.fetch_add(kRefOne, std::memory_order_relaxed);
                cancel_and_complete(t);
                return false;
            case ReapAction::kWaitForRunner:
                return true;
        }
    }
}

void wait_reaped(Header* t) {
    // A poll is usually short: spin a little before sleeping in the kernel.
    for (int i = 0; i < 64; ++i) {
        if (t->state.load(std::memory_order_acquire) & kComplete) return;
        std::this_thread::yield();
    }
    for (;;) {
        std::uint64_t cur = t->state.load(std::memory_order_acquire);
        if (cur & kComplete) return;
        // complete() notifies when it sees REAP_WAITING; a change of any
        // other bit (a wake, a reference) just sends us round again.
        t->state.wait(cur, std::memory_order_acquire);
    }
}

}  // namespace pollen::detail
