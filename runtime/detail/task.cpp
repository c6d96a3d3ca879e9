// The task harness: applies the state word's transitions (task_state.hpp)
// and acts on each returned decision; the task's Waker; what completion and
// cancellation do; the poll diagnostics (PollDiagnostics).
#include "task.hpp"

#include <spdlog/spdlog.h>
#include <time.h>

#include <cassert>
#include <thread>

#include "../../core/coop.hpp"
#include "../../core/log.hpp"
#include "scheduler.hpp"

namespace pollen::detail {

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

/// Everything a poll records besides the state word, behind one hook:
/// the poll count and last poll time (Runtime::dump), the slow-poll warning
/// (Builder::warn_on_slow_poll) and lost-waker detection
/// (Builder::detect_lost_wakers). The reports are out of line and cold; the
/// hot path is a counter, one coarse clock read (two with slow-poll warnings
/// on, the default) and, only with detection on, the clone count.
class PollDiagnostics {
public:
    explicit PollDiagnostics(Header* t) : task_(t), detect_lost_(t->scheduler->detect_lost_wakers) {}

    /// The vtable of the Waker the poll borrows: the counting one when
    /// lost wakers are detected (so the plain one stays free of it).
    const RawWakerVTable* waker_vtable() const {
        return detect_lost_ ? &counting_task_waker_vtable : &task_waker_vtable;
    }

    void before_poll() {
        task_->polls.fetch_add(1, std::memory_order_relaxed);
        started_ = coarse_now_ns();
        task_->last_poll_ns.store(started_, std::memory_order_relaxed);
    }

    /// After the poll, before the state changes: a task left Pending is
    /// still ours to inspect.
    void after_poll(bool done) {
        std::int64_t threshold = task_->scheduler->slow_poll_ns;
        if (threshold > 0) {
            std::int64_t took = coarse_now_ns() - started_;
            if (took > threshold) report_slow_poll(task_, took);
        }
        // A clone's count is given back only after its wake set NOTIFIED,
        // so "no clone alive" read before "not NOTIFIED" never misses a
        // wake that came from the last clone.
        if (!done && detect_lost_ && task_->waker_clones.load(std::memory_order_seq_cst) == 0) {
            Snapshot s = task_->state.load(std::memory_order_seq_cst);
            if (!s.is_notified() && !s.is_cancelled()) report_lost_waker(task_);
        }
    }

private:
    [[gnu::cold, gnu::noinline]] static void report_slow_poll(const Header* t, std::int64_t took_ns) {
        warn_slow_poll(t, took_ns);
    }
    [[gnu::cold, gnu::noinline]] static void report_lost_waker(Header* t) {
        warn_lost_waker(t);  // first, so that whoever sees the count also finds the warning
        t->scheduler->lost_wakers.fetch_add(1, std::memory_order_release);
    }

    Header* task_;
    bool detect_lost_;
    std::int64_t started_ = 0;
};

void dealloc(Header* t) { t->vtable->dealloc(t); }

/// Marks the task complete and hands the output to the JoinHandle, or destroys
/// it when none will read it. The caller holds the RUNNING right and one reference.
void complete(Header* t) {
    TransitionToComplete done = t->state.transition_to_complete();
    // While our reference keeps the header alive: once woken, the reaper
    // may let go of its own.
    if (done.wake_reaper) t->state.notify_all();
    if (done.wake_joiner) t->join_waker.wake();
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

void wake_by_ref_impl(Header* t) {
    switch (t->state.transition_to_notified_by_ref()) {
        case TransitionToNotifiedByRef::kSubmit:
            t->scheduler->schedule(t);
            return;
        case TransitionToNotifiedByRef::kDoNothing:
            return;
    }
}

void wake_by_val_impl(Header* t) {
    switch (t->state.transition_to_notified_by_val()) {
        case TransitionToNotifiedByVal::kSubmit:
            t->scheduler->schedule(t);
            return;
        case TransitionToNotifiedByVal::kDealloc:
            dealloc(t);
            return;
        case TransitionToNotifiedByVal::kDoNothing:
            return;
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
    header_of(data)->state.ref_inc();
    return {data, &task_waker_vtable};
}

// The counting vtable. A clone's count is given back only after its wake
// set NOTIFIED (PollDiagnostics::after_poll relies on that order).
RawWaker counting_clone(const void* data) {
    Header* t = header_of(data);
    t->waker_clones.fetch_add(1, std::memory_order_seq_cst);
    t->state.ref_inc();
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
    switch (t->state.ref_dec(n)) {
        case RefDec::kDealloc:
            dealloc(t);
            return;
        case RefDec::kAlive:
            return;
    }
}

bool is_complete(const Header* t) { return t->state.is_complete(); }

void run_task(Header* t) {
    switch (t->state.transition_to_running()) {
        case TransitionToRunning::kSuccess:
            break;
        case TransitionToRunning::kCancelled:
            cancel_and_complete(t);
            return;
        case TransitionToRunning::kFailed:
            return;
        case TransitionToRunning::kDealloc:
            dealloc(t);
            return;
    }

    // The poll borrows the queue's reference: this Waker owns none.
    PollDiagnostics diagnostics(t);
    Waker waker(RawWaker{t, diagnostics.waker_vtable()});
    Context cx(waker);
    diagnostics.before_poll();
    bool done;
    {
        coop::BudgetScope budget;
        OnStackGuard on_stack(t);
        done = t->vtable->poll_future(t, cx);
    }
    (void)std::move(waker).into_raw();
    diagnostics.after_poll(done);
    if (done) {
        complete(t);
        return;
    }

    switch (t->state.transition_to_idle()) {
        case TransitionToIdle::kOk:
            return;
        case TransitionToIdle::kOkNotified:
            // Woken during its own poll: the reference is the queue's.
            t->scheduler->schedule_yield(t);
            return;
        case TransitionToIdle::kOkDealloc:
            dealloc(t);
            return;
        case TransitionToIdle::kCancelled:
            cancel_and_complete(t);
            return;
    }
}

void shutdown_task(Header* t) {
    switch (t->state.transition_to_shutdown()) {
        case TransitionToShutdown::kCancelHere:
            // We hold the RUNNING right and the reference complete() drops.
            cancel_and_complete(t);
            return;
        case TransitionToShutdown::kRunnerCancels:
        case TransitionToShutdown::kNothing:
            return;
    }
}

void drop_join_handle(Header* t) {
    switch (t->state.unset_join_interest()) {
        case UnsetJoinInterest::kComplete:
            // The output is ours to destroy (if it was not read).
            t->vtable->drop_output(t);
            break;
        case UnsetJoinInterest::kOk:
            // Completion no longer wakes it, so the waker a poll of the handle
            // stored is ours to let go now: kept, it would pin the waiting
            // task (or whatever the waker owns) until this task ends.
            (void)t->join_waker.take();
            break;
    }
    drop_reference(t);
}

void abort_task(Header* t) {
    switch (t->state.transition_to_notified_and_cancel()) {
        case TransitionToNotifiedByRef::kSubmit:
            t->scheduler->schedule(t);
            return;
        case TransitionToNotifiedByRef::kDoNothing:
            return;
    }
}

bool running_on_this_thread(const Header* t) {
    for (const OnStack* e = tls_on_stack; e; e = e->outer)
        if (e->task == t) return true;
    return false;
}

bool start_reap(Header* t) {
    switch (t->state.transition_to_reaped(running_on_this_thread(t))) {
        case ReapAction::kCancelHere:
            // As shutdown_task: we hold the RUNNING right and the reference
            // complete() drops.
            cancel_and_complete(t);
            return false;
        case ReapAction::kWaitForRunner:
            return true;
        case ReapAction::kNothing:
            return false;
    }
    return false;
}

void wait_reaped(Header* t) {
    // A poll is usually short: spin a little before sleeping in the kernel.
    for (int i = 0; i < 64; ++i) {
        if (t->state.is_complete()) return;
        std::this_thread::yield();
    }
    for (;;) {
        Snapshot cur = t->state.load();
        if (cur.is_complete()) return;
        // complete() notifies when it sees REAP_WAITING; a change of any
        // other bit (a wake, a reference) just sends us round again.
        t->state.wait(cur);
    }
}

}  // namespace pollen::detail
