// The task harness: applies the state word's transitions (task_state.hpp)
// and acts on each returned decision; the task's Waker; what completion and
// cancellation do. What a poll records besides is poll_diagnostics.hpp, or
// stats_poll.hpp for a task with statistics.
#include "task.hpp"

#include <cassert>
#include <thread>

#include "../../../core/coop.hpp"
#include "../defer.hpp"
#include "../scheduler.hpp"
#include "poll_diagnostics.hpp"
#include "stats_poll.hpp"

namespace pollen::detail {

namespace {

/// The tasks whose poll or cancellation is on this thread's stack, innermost
/// first: a reaper must not wait for one of them (it would wait for itself).
struct OnStack {
    const Header* task;
    OnStack* outer;
    bool deferred_own_wake = false;  // set by defer_own_wake during a poll
};
thread_local OnStack* tls_on_stack = nullptr;

class OnStackGuard {
public:
    explicit OnStackGuard(const Header* t) : entry_{t, tls_on_stack} { tls_on_stack = &entry_; }
    ~OnStackGuard() { tls_on_stack = entry_.outer; }
    bool deferred_own_wake() const { return entry_.deferred_own_wake; }
    OnStackGuard(const OnStackGuard&) = delete;
    OnStackGuard& operator=(const OnStackGuard&) = delete;

private:
    OnStack entry_;
};

void dealloc(Header* t) { t->vtable->dealloc(t); }

/// Marks the task complete and hands the output to the JoinHandle, or destroys
/// it when none will read it. The caller holds the RUNNING right and one reference.
void complete(Header* t) {
    TransitionToComplete done = t->state.transition_to_complete();
    // While our reference keeps the header alive: once woken, the reaper
    // may let go of its own.
    if (done.wake_reaper) t->state.notify_all();
    if (done.drop_output) t->vtable->drop_output(t);
    if (done.wake_joiner) {
        // By reference: the handle may be reading the slot (will_wake) now.
        t->join_waker.wake_by_ref();
        switch (t->state.unset_waker_after_complete()) {
            case UnsetWakerAfterComplete::kDropWaker:
                t->join_waker = noop_waker();
                break;
            case UnsetWakerAfterComplete::kHandleOwnsWaker:
                break;
        }
    }
    std::uint64_t refs = 1;
    if (t->scheduler->release(t)) ++refs;
    drop_reference(t, refs);
}

void cancel_and_complete(Header* t) {
    // A task that completes in a poll is retired by the poll's statistics
    // (PollDiagnostics); one cancelled here is retired now.
    if (TaskStats* s = t->diagnostics.stats()) {
        // Never polled: the figures are ours to set, as a first poll would.
        if (s->polls.load(std::memory_order_relaxed) == 0) s->start_figures();
        TaskStats::set(s->poll.done_ns, stats_now_ns());
        if (RuntimeStats* rs = t->scheduler->runtime_stats.get()) rs->retire(*s);
    }
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

/// A wake by value: one transition wakes the task and gives up the waker's
/// reference. `before_submit` runs once the reference is the queue's and
/// before the task is queued (a task with statistics stamps its block there).
template <class BeforeSubmit>
[[gnu::always_inline]] inline void wake_by_val_then(Header* t, BeforeSubmit before_submit) {
    switch (t->state.transition_to_notified_by_val()) {
        case TransitionToNotifiedByVal::kSubmit:
            before_submit();
            t->scheduler->schedule(t);
            return;
        case TransitionToNotifiedByVal::kDealloc:
            dealloc(t);
            return;
        case TransitionToNotifiedByVal::kDoNothing:
            return;
    }
}
void wake_by_val_impl(Header* t) {
    wake_by_val_then(t, [] {});
}

Header* header_of(const void* data) { return static_cast<Header*>(const_cast<void*>(data)); }
RawWaker waker_clone(const void* data);
void waker_wake(const void* data) { wake_by_val_impl(header_of(data)); }
void waker_wake_by_ref(const void* data) { wake_by_ref_impl(header_of(data)); }
void waker_drop(const void* data) { drop_reference(header_of(data)); }

}  // namespace

const RawWakerVTable task_waker_vtable{waker_clone, waker_wake, waker_wake_by_ref, waker_drop};

namespace {
// The defer list's entry for a task that deferred its own wake
// (defer_own_wake): the task is NOTIFIED and the entry holds the queue
// entry's reference, so waking it is only the submit. It is never dropped
// unwoken (a Defer wakes what it holds before it goes); should it be, it
// submits all the same, or the task would stay NOTIFIED with no entry. A
// clone is the task's plain Waker.
void deferred_entry_submit(const void* data) {
    Header* t = header_of(data);
    t->scheduler->schedule(t);
}
const RawWakerVTable deferred_entry_vtable{waker_clone, deferred_entry_submit, waker_wake_by_ref,
                                           deferred_entry_submit};
}  // namespace

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

// The statistics vtable: the counting one, plus the TaskStats figures.
namespace {
/// A wake's part of the figures besides its counts. `gives_back`: a wake by
/// value, whose waker's drop counts after the wake set NOTIFIED (lost-waker
/// detection: StatsPoll::after_poll) and before the task is queued (the poll
/// that follows may finish the task and copy its figures for good).
void wake_with_stats(Header* t, TaskStats& s, std::int64_t now, bool gives_back) {
    TransitionToNotifiedByRef woken = t->state.transition_to_notified_by_ref();
    if (gives_back) std::atomic_ref(s.wake.waker_drops).fetch_add(1, std::memory_order_seq_cst);
    switch (woken) {
        case TransitionToNotifiedByRef::kSubmit:
            // Before the task is queued: its next poll reads this.
            s.runnable_since_ns.store(now, std::memory_order_relaxed);
            t->scheduler->schedule(t);
            return;
        case TransitionToNotifiedByRef::kDoNothing:
            return;
    }
}
/// A wake on a traced runtime: as stats_wake_by_ref_impl's, timed, and the
/// first wake since the task's last poll starts a flow into its next one.
[[gnu::noinline]] void traced_wake(Header* t, TaskStats* s, TraceRecorder* trace, bool self, bool gives_back) {
    std::int64_t start = stats_now_ns();
    std::uint64_t flow = trace->new_flow();
    std::uint64_t none = 0;
    if (!s->trace_flow.compare_exchange_strong(none, flow, std::memory_order_relaxed)) flow = 0;
    wake_with_stats(t, *s, start, gives_back);
    // The waker's reference keeps the task, so its block, alive.
    trace->wake(*s, start, stats_now_ns(), flow, self);
}
/// A wake from outside the task's poll: any thread, a locked count and a
/// clock read.
[[gnu::noinline]] void stats_wake_other(Header* t, TaskStats& s, bool gives_back) {
    std::atomic_ref(s.wake.other_wakes).fetch_add(1, std::memory_order_relaxed);
    std::int64_t now = stats_now_ns();
    TaskStats::set(s.wake.last_wake_ns, now);
    if (TraceRecorder* trace = t->scheduler->trace.get()) [[unlikely]]
        return traced_wake(t, &s, trace, false, gives_back);
    wake_with_stats(t, s, now, gives_back);
}
/// The waker's reference stays the caller's to drop.
void stats_wake_by_ref_impl(Header* t, bool gives_back) {
    TaskStats& s = t->diagnostics.known_stats();
    if (!running_on_this_thread(t)) return stats_wake_other(t, s, gives_back);
    // Inside the task's own poll (or cancellation), on its thread: the
    // poll's figures are ours, and the wake needs no clock read (it happened
    // in the poll that started then; the task is runnable again from that
    // poll's end, which the poll stamps). The task is RUNNING, so the wake
    // only marks it NOTIFIED.
    TaskStats::set(s.poll.self_wakes, s.poll.self_wakes + 1);
    TaskStats::set(s.wake.last_wake_ns, s.poll.last_poll_started_ns);
    if (TraceRecorder* trace = t->scheduler->trace.get()) [[unlikely]]
        return traced_wake(t, &s, trace, true, gives_back);
    wake_by_ref_impl(t);
    if (gives_back) std::atomic_ref(s.wake.waker_drops).fetch_add(1, std::memory_order_seq_cst);
}
// The live clones are clones - drops - wakes_by_val (WakeFigures), so the
// header's clone count is left to the counting vtable.
RawWaker stats_clone(const void* data) {
    Header* t = header_of(data);
    std::atomic_ref(t->diagnostics.known_stats().wake.waker_clones).fetch_add(1, std::memory_order_seq_cst);
    t->state.ref_inc();
    return {data, &stats_task_waker_vtable};
}
/// A wake by value from outside the task's poll, with lost wakers not
/// detected and no timeline: the wake and the drop of its waker are one
/// count, made before the wake as stats_wake_other's, and one transition
/// wakes the task and gives up the reference, as a plain waker's does.
/// Lost-waker detection needs a drop counted after its wake set NOTIFIED,
/// so it takes the longer way.
[[gnu::noinline]] void stats_wake_by_val_other(Header* t, TaskStats& s) {
    std::atomic_ref(s.wake.wakes_by_val).fetch_add(1, std::memory_order_relaxed);
    std::int64_t now = stats_now_ns();
    TaskStats::set(s.wake.last_wake_ns, now);
    // The reference is the queue's by then, so the block is still ours to stamp.
    wake_by_val_then(t, [&] { s.runnable_since_ns.store(now, std::memory_order_relaxed); });
}
void stats_wake(const void* data) {
    Header* t = header_of(data);
    Scheduler& sched = *t->scheduler;
    if (!sched.detect_lost_wakers && !sched.trace && !running_on_this_thread(t)) [[likely]]
        return stats_wake_by_val_other(t, t->diagnostics.known_stats());
    stats_wake_by_ref_impl(t, /*gives_back=*/true);
    drop_reference(t);
}
void stats_wake_by_ref(const void* data) { stats_wake_by_ref_impl(header_of(data), /*gives_back=*/false); }
void stats_drop(const void* data) {
    Header* t = header_of(data);
    std::atomic_ref(t->diagnostics.known_stats().wake.waker_drops).fetch_add(1, std::memory_order_seq_cst);
    drop_reference(t);
}
}  // namespace

const RawWakerVTable stats_task_waker_vtable{stats_clone, stats_wake, stats_wake_by_ref, stats_drop};

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

namespace {

/// One poll of the future around `Recorder`'s hooks (PollDiagnostics, or
/// StatsPoll for a task with statistics); true when it is done (its output
/// stored). The poll borrows the queue's reference: its Waker owns none.
/// `deferred`: the poll deferred the task's own wake (defer_own_wake).
template <class Recorder>
[[gnu::always_inline]] inline bool poll_with(Header* t, PollClock* clock, bool& deferred) {
    Recorder recorder(t, clock);
    Waker waker(RawWaker{t, recorder.waker_vtable()});
    Context cx(waker);
    recorder.before_poll();
    bool done;
    {
        coop::BudgetScope budget;
        OnStackGuard on_stack(t);
        done = t->vtable->poll_future(t, cx);
        deferred = on_stack.deferred_own_wake();
    }
    (void)std::move(waker).into_raw();
    recorder.after_poll(done);
    return done;
}

/// Out of line: the poll without statistics stays as small as it was (one
/// branch on the header's diagnostics word).
/// A task with statistics has its own waker, never the plain one that
/// defer_own_wake recognises: its yields take the clone path.
[[gnu::noinline]] bool poll_with_stats(Header* t, PollClock* clock) {
    bool deferred = false;
    return poll_with<StatsPoll>(t, clock, deferred);
}

}  // namespace

namespace {
/// After a poll that deferred the task's own wake: its queue entry goes to
/// this thread's defer list as it is (defer_own_wake).
void idle_deferred(Header* t) {
    switch (t->state.transition_to_idle_deferred()) {
        case TransitionToIdleDeferred::kDefer:
            // The list that defer_own_wake answered for; none only if its
            // scope closed inside the poll: then queue it now.
            if (Defer* list = current_defer()) list->push(Waker(RawWaker{t, &deferred_entry_vtable}));
            else t->scheduler->schedule_yield(t);
            return;
        case TransitionToIdleDeferred::kCancelled:
            cancel_and_complete(t);
            return;
    }
}
}  // namespace

bool defer_own_wake(const Waker& waker) {
    OnStack* innermost = tls_on_stack;
    const RawWaker& raw = waker.as_raw();
    if (!innermost || raw.data != innermost->task || raw.vtable != &task_waker_vtable) return false;
    innermost->deferred_own_wake = true;
    return true;
}

void run_task(Header* t, PollClock* clock) {
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

    bool deferred = false;
    bool done = t->diagnostics.stats() ? poll_with_stats(t, clock) : poll_with<PollDiagnostics>(t, clock, deferred);
    if (done) {
        complete(t);
        return;
    }
    if (deferred) {
        idle_deferred(t);
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
    UnsetJoinInterest dropped = t->state.unset_join_interest();
    // The output, if it was not read, is ours to destroy.
    if (dropped.drop_output) t->vtable->drop_output(t);
    // Let go of the waker a poll of the handle stored as soon as completion
    // no longer needs it: kept, it would pin the waiting task (or whatever
    // the waker owns) until this task is freed.
    if (dropped.drop_waker) t->join_waker = noop_waker();
    if (!dropped.ref_dropped) drop_reference(t);
}

bool can_read_output(Header* t, const Waker& waker) {
    Snapshot s = t->state.load();
    if (s.is_complete()) return true;
    if (s.is_join_waker_set()) {
        if (t->join_waker.will_wake(waker)) return false;
        switch (t->state.unset_join_waker()) {
            case JoinWakerUpdate::kComplete:
                return true;
            case JoinWakerUpdate::kOk:
                break;  // the slot is ours again
        }
    }
    t->join_waker = waker;
    switch (t->state.set_join_waker()) {
        case JoinWakerUpdate::kOk:
            return false;
        case JoinWakerUpdate::kComplete:
            t->join_waker = noop_waker();  // completion never saw it
            return true;
    }
    return true;
}

void abort_task(Header* t) {
    switch (t->state.transition_to_notified_and_cancel()) {
        case TransitionToNotifiedByRef::kSubmit:
            if (TaskStats* s = t->diagnostics.stats()) s->runnable_since_ns.store(stats_now_ns(), std::memory_order_relaxed);
            t->scheduler->schedule(t);
            return;
        case TransitionToNotifiedByRef::kDoNothing:
            return;
    }
}

bool trace_idle_task(Header* t, TraceFrame& out) {
    switch (t->state.transition_to_inspecting()) {
        case TransitionToInspecting::kBusy:
            return false;
        case TransitionToInspecting::kSuccess:
            break;
    }
    // RUNNING is ours: no poll, cancellation or destruction of the future can
    // start until transition_to_idle below, and the acquire of our CAS saw
    // every write of the last poll (its transition_to_idle released them).
    try {
        out = t->vtable->describe(t);
    } catch (...) {
        out = TraceFrame{};
        out.waits_on = "(describing it threw)";
    }
    // Given back as after a poll: a wake meanwhile set NOTIFIED without
    // submitting (it found the task RUNNING), an abort, shutdown or reap set
    // CANCELLED and left the cancelling to the holder of RUNNING: us.
    switch (t->state.transition_to_idle()) {
        case TransitionToIdle::kOk:
            break;
        case TransitionToIdle::kOkNotified:
            t->scheduler->schedule(t);  // our reference is now the queue's
            break;
        case TransitionToIdle::kOkDealloc:
            dealloc(t);  // not while the caller holds one; safe all the same
            break;
        case TransitionToIdle::kCancelled:
            cancel_and_complete(t);  // drops our reference
            break;
    }
    return true;
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
