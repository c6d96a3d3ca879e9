#pragma once
/// The task's state word (Tokio's runtime/task/state.rs): a set of flag bits
/// and a reference count in one atomic 64-bit word, and every change of it as
/// a transition that returns what the caller must do next.
///
/// Each transition exists twice: a pure `constexpr` function from a Snapshot
/// to a Step (the decision and the next word), testable without threads, and
/// a `State` member that applies it with one compare-and-swap loop (no store
/// when the next word equals the current one) and returns the decision. The
/// harness (task.cpp) never reads a bit itself: it switches on the decision.
/// Every decision type is [[nodiscard]]: ignoring one leaks or double-runs a
/// task.
///
/// References: one per JoinHandle, AbortHandle, Waker clone, run-queue entry
/// and the owned-task list; the last one dropped frees the task
/// (`kDealloc`). A task is in at most one run queue at a time: only the
/// transition that sets NOTIFIED on an idle task submits it.
///
/// Thread safety: a State may be used from any thread; a Snapshot is a value.

#include <atomic>
#include <cassert>
#include <cstdint>

namespace pollen::detail {

namespace task_state {
/// RUNNING: some thread holds the right to touch the future (poll it,
/// cancel it, destroy it). It is the lock around the future: set by
/// transition_to_running, shutdown and reap on an idle task; cleared by
/// transition_to_idle or transition_to_complete. Never set with COMPLETE.
inline constexpr std::uint64_t kRunning = 1;
/// COMPLETE: the future is destroyed and the output (if any) stored; never
/// cleared. Whoever observes it (acquire) may free what the future borrowed.
inline constexpr std::uint64_t kComplete = 2;
/// NOTIFIED: a run-queue entry exists, or the runner owes one (a wake during
/// the poll). Set by wakes and abort; cleared by transition_to_running.
inline constexpr std::uint64_t kNotified = 4;
/// JOIN_INTEREST: a JoinHandle will read the output. Whoever observes the
/// other side gone destroys the output (the completer if the handle is
/// gone, the handle if the task is complete).
inline constexpr std::uint64_t kJoinInterest = 8;
/// CANCELLED: the task must be cancelled instead of polled (abort,
/// shutdown, reap). Whoever next holds RUNNING destroys the future.
inline constexpr std::uint64_t kCancelled = 16;
/// REAP_WAITING: a thread blocks in wait_reaped until COMPLETE; only then
/// does completion pay for a futex notify (TaskScope's destructor).
inline constexpr std::uint64_t kReapWaiting = 32;
/// JOIN_WAKER: the header's join waker slot holds the JoinHandle's waker and
/// completion will wake it (Tokio's JOIN_WAKER). It says who may touch the
/// slot: while clear and the task not complete, only the JoinHandle (it
/// writes its waker, then sets the bit); while set, the handle only reads it
/// (will_wake) and the completer wakes it by reference, then clears the bit.
inline constexpr std::uint64_t kJoinWaker = 64;
/// One reference; the count is the word's bits above the flags.
inline constexpr std::uint64_t kRefOne = 128;
inline constexpr std::uint64_t kFlagsMask = kRefOne - 1;
/// At birth: three references (the owned-task list, the JoinHandle, the
/// first run-queue entry), NOTIFIED for that entry, and JOIN_INTEREST.
inline constexpr std::uint64_t kInitial = 3 * kRefOne | kNotified | kJoinInterest;
inline constexpr std::uint64_t refs(std::uint64_t s) { return s / kRefOne; }
}  // namespace task_state

/// One value of the state word.
class Snapshot {
public:
    constexpr explicit Snapshot(std::uint64_t bits) : bits_(bits) {}
    constexpr std::uint64_t bits() const { return bits_; }

    constexpr bool is_running() const { return bits_ & task_state::kRunning; }
    constexpr bool is_complete() const { return bits_ & task_state::kComplete; }
    constexpr bool is_notified() const { return bits_ & task_state::kNotified; }
    constexpr bool is_join_interested() const { return bits_ & task_state::kJoinInterest; }
    constexpr bool is_cancelled() const { return bits_ & task_state::kCancelled; }
    constexpr bool is_reap_waiting() const { return bits_ & task_state::kReapWaiting; }
    constexpr bool is_join_waker_set() const { return bits_ & task_state::kJoinWaker; }
    /// Neither running nor complete: its future waits for a wake.
    constexpr bool is_idle() const { return !(bits_ & (task_state::kRunning | task_state::kComplete)); }
    constexpr std::uint64_t ref_count() const { return task_state::refs(bits_); }

    constexpr Snapshot with(std::uint64_t flags) const { return Snapshot(bits_ | flags); }
    constexpr Snapshot without(std::uint64_t flags) const { return Snapshot(bits_ & ~flags); }
    constexpr Snapshot ref_inc() const { return Snapshot(bits_ + task_state::kRefOne); }
    constexpr Snapshot ref_dec() const {
        assert(ref_count() > 0);
        return Snapshot(bits_ - task_state::kRefOne);
    }

    friend constexpr bool operator==(Snapshot, Snapshot) = default;

private:
    std::uint64_t bits_;
};

// ---- decisions ----

/// transition_to_running (a task taken from a run queue, whose entry owned
/// one reference).
enum class [[nodiscard]] TransitionToRunning {
    kSuccess,    ///< RUNNING taken, NOTIFIED cleared: poll the future.
    kCancelled,  ///< RUNNING taken but CANCELLED is set: cancel, then complete.
    kFailed,     ///< Already running or complete: the entry's reference was dropped.
    kDealloc,    ///< As kFailed, and that was the last reference: free the task.
};

/// transition_to_idle (after a poll returned Pending; the runner holds
/// RUNNING and the queue entry's reference).
enum class [[nodiscard]] TransitionToIdle {
    kOk,          ///< RUNNING cleared, the entry's reference dropped.
    kOkNotified,  ///< Woken during the poll: RUNNING cleared, the reference kept: resubmit.
    kOkDealloc,   ///< As kOk, and that was the last reference: free the task.
    kCancelled,   ///< CANCELLED is set: nothing changed; cancel, then complete.
};

/// transition_to_idle_deferred (after a poll returned Pending having
/// deferred its own wake to the thread's defer list: yield_now). The
/// runner's queue entry moves to the defer list as it is, still NOTIFIED,
/// so that putting it back in a run queue later takes no atomic step.
enum class [[nodiscard]] TransitionToIdleDeferred {
    kDefer,      ///< RUNNING cleared, NOTIFIED set, the reference kept: the defer list
                 ///< holds the entry (a wake meanwhile finds it queued).
    kCancelled,  ///< CANCELLED is set: nothing changed; cancel, then complete.
};

/// transition_to_notified_by_ref (a wake that keeps the waker) and
/// transition_to_notified_and_cancel (abort).
enum class [[nodiscard]] TransitionToNotifiedByRef {
    kDoNothing,  ///< Complete, already notified, or running (its runner resubmits).
    kSubmit,     ///< Was idle: NOTIFIED set and a reference added for the queue: submit.
};

/// transition_to_notified_by_val (a wake that consumes the waker's reference).
enum class [[nodiscard]] TransitionToNotifiedByVal {
    kDoNothing,  ///< The waker's reference was dropped (the task lives on).
    kSubmit,     ///< Was idle: NOTIFIED set; the waker's reference is now the queue's: submit.
    kDealloc,    ///< The waker's reference was the last one: free the task.
};

/// transition_to_shutdown (runtime shutdown; consumes no reference).
enum class [[nodiscard]] TransitionToShutdown {
    kNothing,        ///< Complete already.
    kRunnerCancels,  ///< Running elsewhere: CANCELLED set; its runner cancels it after the poll.
    kCancelHere,     ///< Was idle: RUNNING and CANCELLED set, a reference added for the
                     ///< caller: cancel, then complete (which drops that reference).
};

/// transition_to_reaped (TaskScope: cancel a task and know its future is
/// destroyed; consumes no reference).
enum class [[nodiscard]] ReapAction {
    kNothing,        ///< Complete already, or running on the reaper's own thread (the
                     ///< reaper is inside that poll: waiting would never end; CANCELLED
                     ///< is set and the runner cancels it after the poll).
    kCancelHere,     ///< Was idle: as TransitionToShutdown::kCancelHere.
    kWaitForRunner,  ///< Polled by another thread: CANCELLED and REAP_WAITING set; the
                     ///< runner cancels it after this poll and notifies: wait_reaped.
};

/// transition_to_inspecting (a task dump reads the future of an idle task:
/// runtime/task_dump.hpp). The dumper takes the RUNNING right as a runner
/// does, so no thread polls, cancels or destroys the future meanwhile; it
/// gives it back with transition_to_idle and acts on that decision as a
/// runner after its poll (a wake meanwhile: resubmit; an abort, shutdown or
/// reap meanwhile: cancel).
enum class [[nodiscard]] TransitionToInspecting {
    kSuccess,  ///< Was idle and not queued: RUNNING taken and a reference added
               ///< (the one transition_to_idle drops or hands to the queue).
    kBusy,     ///< Running, queued (NOTIFIED) or complete: nothing changed. A queued
               ///< task is left alone: its queue entry would find it RUNNING.
};

/// unset_join_interest (the JoinHandle is dropped). JOIN_INTEREST is
/// cleared either way, and JOIN_WAKER with it on a task not yet complete.
struct [[nodiscard]] UnsetJoinInterest {
    bool drop_output;  ///< Complete already: the output is the handle's to destroy.
    bool drop_waker;   ///< The join waker slot is the handle's to empty (false while
                       ///< the completer still holds it: it empties it, seeing no interest).
    bool ref_dropped;  ///< Nothing to destroy (the slot is empty while JOIN_WAKER is
                       ///< clear), so the handle's reference went in the same step; never
                       ///< the last one. Otherwise the handle drops it after acting.
};

/// set_join_waker (the JoinHandle wrote its waker into the empty slot) and
/// unset_join_waker (it wants to replace the waker it stored).
enum class [[nodiscard]] JoinWakerUpdate {
    kOk,        ///< JOIN_WAKER set (set) or cleared (unset): return Pending / write the new waker.
    kComplete,  ///< The task completed first; nothing changed: read the output
                ///< (after set, first empty the slot again: it is still the handle's).
};

/// transition_to_complete (the runner, holding RUNNING and one reference,
/// destroyed the future and stored the output).
struct [[nodiscard]] TransitionToComplete {
    bool wake_joiner;  ///< JOIN_INTEREST and JOIN_WAKER: wake the join waker by reference,
                       ///< then unset_waker_after_complete.
    bool drop_output;  ///< No JOIN_INTEREST: nobody will read the output; destroy it.
    bool wake_reaper;  ///< REAP_WAITING: notify the state word's waiters.
};

/// unset_waker_after_complete (the completer woke the join waker).
enum class [[nodiscard]] UnsetWakerAfterComplete {
    kHandleOwnsWaker,  ///< JOIN_WAKER cleared; the handle empties the slot when it is dropped.
    kDropWaker,        ///< The handle is gone: the completer empties the slot.
};

/// ref_dec.
enum class [[nodiscard]] RefDec {
    kAlive,    ///< Other references remain.
    kDealloc,  ///< That was the last reference: free the task.
};

/// A pure transition's result: what to do, and the word to store.
template <class D>
struct Step {
    D decision;
    Snapshot next;
};

// ---- the pure transitions ----

namespace task_state {

/// Precondition: NOTIFIED (the caller owns the queue entry's reference).
constexpr Step<TransitionToRunning> to_running(Snapshot s) {
    assert(s.is_notified());
    if (!s.is_idle()) {
        // Cannot happen while only NOTIFIED submits; be safe all the same.
        Snapshot next = s.ref_dec();
        return {next.ref_count() == 0 ? TransitionToRunning::kDealloc : TransitionToRunning::kFailed, next};
    }
    Snapshot next = s.without(kNotified).with(kRunning);
    return {s.is_cancelled() ? TransitionToRunning::kCancelled : TransitionToRunning::kSuccess, next};
}

/// Precondition: RUNNING, held by the caller with the queue entry's reference.
constexpr Step<TransitionToIdle> to_idle(Snapshot s) {
    assert(s.is_running() && !s.is_complete());
    if (s.is_cancelled()) return {TransitionToIdle::kCancelled, s};
    if (s.is_notified()) return {TransitionToIdle::kOkNotified, s.without(kRunning)};
    Snapshot next = s.without(kRunning).ref_dec();
    return {next.ref_count() == 0 ? TransitionToIdle::kOkDealloc : TransitionToIdle::kOk, next};
}

/// Precondition: as to_idle. One step for "wake by reference during the
/// poll, then to_idle", the reference staying with the entry.
constexpr Step<TransitionToIdleDeferred> to_idle_deferred(Snapshot s) {
    assert(s.is_running() && !s.is_complete());
    if (s.is_cancelled()) return {TransitionToIdleDeferred::kCancelled, s};
    return {TransitionToIdleDeferred::kDefer, s.without(kRunning).with(kNotified)};
}

/// The caller holds a reference (the waker it wakes through).
constexpr Step<TransitionToNotifiedByRef> to_notified_by_ref(Snapshot s) {
    if (s.is_complete() || s.is_notified()) return {TransitionToNotifiedByRef::kDoNothing, s};
    if (s.is_running()) return {TransitionToNotifiedByRef::kDoNothing, s.with(kNotified)};
    return {TransitionToNotifiedByRef::kSubmit, s.with(kNotified).ref_inc()};
}

/// The caller's reference is consumed.
constexpr Step<TransitionToNotifiedByVal> to_notified_by_val(Snapshot s) {
    if (s.is_complete() || s.is_notified()) {
        Snapshot next = s.ref_dec();
        return {next.ref_count() == 0 ? TransitionToNotifiedByVal::kDealloc : TransitionToNotifiedByVal::kDoNothing,
                next};
    }
    if (s.is_running()) {
        // The runner holds a reference, so ours cannot be the last.
        assert(s.ref_count() >= 2);
        return {TransitionToNotifiedByVal::kDoNothing, s.with(kNotified).ref_dec()};
    }
    return {TransitionToNotifiedByVal::kSubmit, s.with(kNotified)};
}

/// Abort: marks CANCELLED and, on an idle task not yet queued, submits it
/// (its runner then cancels it). No effect on a complete or cancelled task.
constexpr Step<TransitionToNotifiedByRef> to_notified_and_cancel(Snapshot s) {
    if (s.is_complete() || s.is_cancelled()) return {TransitionToNotifiedByRef::kDoNothing, s};
    Snapshot next = s.with(kCancelled);
    if (s.is_running() || s.is_notified()) return {TransitionToNotifiedByRef::kDoNothing, next};
    return {TransitionToNotifiedByRef::kSubmit, next.with(kNotified).ref_inc()};
}

constexpr Step<TransitionToShutdown> to_shutdown(Snapshot s) {
    if (s.is_complete()) return {TransitionToShutdown::kNothing, s};
    if (s.is_running()) return {TransitionToShutdown::kRunnerCancels, s.with(kCancelled)};
    return {TransitionToShutdown::kCancelHere, s.with(kRunning | kCancelled).ref_inc()};
}

/// `running_here`: the calling thread is inside this task's poll or cancellation.
constexpr Step<ReapAction> to_reaped(Snapshot s, bool running_here) {
    if (s.is_complete()) return {ReapAction::kNothing, s};
    if (!s.is_running()) return {ReapAction::kCancelHere, s.with(kRunning | kCancelled).ref_inc()};
    if (running_here) return {ReapAction::kNothing, s.with(kCancelled)};
    return {ReapAction::kWaitForRunner, s.with(kCancelled | kReapWaiting)};
}

/// The caller holds a reference (its snapshot of the owned-task list).
constexpr Step<TransitionToInspecting> to_inspecting(Snapshot s) {
    if (s.is_running() || s.is_complete() || s.is_notified()) return {TransitionToInspecting::kBusy, s};
    return {TransitionToInspecting::kSuccess, s.with(kRunning).ref_inc()};
}

/// Precondition: JOIN_INTEREST (the caller is the JoinHandle).
constexpr Step<UnsetJoinInterest> unset_join_interest(Snapshot s) {
    assert(s.is_join_interested());
    if (s.is_complete()) return {{true, !s.is_join_waker_set(), false}, s.without(kJoinInterest)};
    // The common case, a handle dropped unpolled: one atomic step, not two (Tokio's drop_join_handle_fast).
    if (!s.is_join_waker_set() && s.ref_count() >= 2) return {{false, false, true}, s.without(kJoinInterest).ref_dec()};
    return {{false, true, false}, s.without(kJoinInterest | kJoinWaker)};
}

/// Precondition: JOIN_INTEREST, no JOIN_WAKER (the caller is the JoinHandle
/// and has just written its waker into the slot).
constexpr Step<JoinWakerUpdate> set_join_waker(Snapshot s) {
    assert(s.is_join_interested() && !s.is_join_waker_set());
    if (s.is_complete()) return {JoinWakerUpdate::kComplete, s};
    return {JoinWakerUpdate::kOk, s.with(kJoinWaker)};
}

/// Precondition: JOIN_INTEREST and JOIN_WAKER (the caller is the JoinHandle).
constexpr Step<JoinWakerUpdate> unset_join_waker(Snapshot s) {
    assert(s.is_join_interested() && s.is_join_waker_set());
    if (s.is_complete()) return {JoinWakerUpdate::kComplete, s};
    return {JoinWakerUpdate::kOk, s.without(kJoinWaker)};
}

/// Precondition: RUNNING, held by the caller.
constexpr Step<TransitionToComplete> to_complete(Snapshot s) {
    assert(s.is_running() && !s.is_complete());
    bool interested = s.is_join_interested();
    return {{interested && s.is_join_waker_set(), !interested, s.is_reap_waiting()},
            s.without(kRunning).with(kComplete)};
}

/// Precondition: COMPLETE and JOIN_WAKER (the caller completed the task and woke the joiner).
constexpr Step<UnsetWakerAfterComplete> unset_waker_after_complete(Snapshot s) {
    assert(s.is_complete() && s.is_join_waker_set());
    return {s.is_join_interested() ? UnsetWakerAfterComplete::kHandleOwnsWaker : UnsetWakerAfterComplete::kDropWaker,
            s.without(kJoinWaker)};
}

}  // namespace task_state

// ---- the atomic word ----

class State {
    // Applies a pure transition with one CAS loop; no store when the next
    // word equals the current one (the load's acquire is the ordering then).
    template <class F>
    auto apply(F transition) {
        Snapshot cur = load();
        for (;;) {
            auto [decision, next] = transition(cur);
            if (next == cur) return decision;
            std::uint64_t expected = cur.bits();
            if (word_.compare_exchange_weak(expected, next.bits(), std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return decision;
            cur = Snapshot(expected);
        }
    }

public:
    State() : word_(task_state::kInitial) {}
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    Snapshot load(std::memory_order order = std::memory_order_acquire) const { return Snapshot(word_.load(order)); }
    bool is_complete() const { return load().is_complete(); }

    TransitionToRunning transition_to_running() { return apply(task_state::to_running); }
    TransitionToIdle transition_to_idle() { return apply(task_state::to_idle); }
    TransitionToIdleDeferred transition_to_idle_deferred() { return apply(task_state::to_idle_deferred); }
    TransitionToNotifiedByRef transition_to_notified_by_ref() { return apply(task_state::to_notified_by_ref); }
    TransitionToNotifiedByVal transition_to_notified_by_val() { return apply(task_state::to_notified_by_val); }
    TransitionToNotifiedByRef transition_to_notified_and_cancel() {
        return apply(task_state::to_notified_and_cancel);
    }
    TransitionToShutdown transition_to_shutdown() { return apply(task_state::to_shutdown); }
    ReapAction transition_to_reaped(bool running_here) {
        return apply([running_here](Snapshot s) { return task_state::to_reaped(s, running_here); });
    }
    TransitionToInspecting transition_to_inspecting() { return apply(task_state::to_inspecting); }
    UnsetJoinInterest unset_join_interest() { return apply(task_state::unset_join_interest); }
    JoinWakerUpdate set_join_waker() { return apply(task_state::set_join_waker); }
    JoinWakerUpdate unset_join_waker() { return apply(task_state::unset_join_waker); }
    UnsetWakerAfterComplete unset_waker_after_complete() { return apply(task_state::unset_waker_after_complete); }

    /// RUNNING is ours and COMPLETE unset, so one fetch_xor flips both
    /// (no loop); the returned word is the one before.
    TransitionToComplete transition_to_complete() {
        constexpr std::uint64_t flip = task_state::kRunning | task_state::kComplete;
        Snapshot prev(word_.fetch_xor(flip, std::memory_order_acq_rel));
        return task_state::to_complete(prev).decision;
    }

    /// A new reference from one the caller holds (a clone): nothing to order.
    void ref_inc() { word_.fetch_add(task_state::kRefOne, std::memory_order_relaxed); }
    RefDec ref_dec(std::uint64_t n = 1) {
        std::uint64_t prev = word_.fetch_sub(n * task_state::kRefOne, std::memory_order_acq_rel);
        assert(task_state::refs(prev) >= n);
        return task_state::refs(prev) == n ? RefDec::kDealloc : RefDec::kAlive;
    }

    /// For wait_reaped: blocks while the word equals `seen`; any change
    /// (not only COMPLETE) returns.
    void wait(Snapshot seen) const { word_.wait(seen.bits(), std::memory_order_acquire); }
    void notify_all() { word_.notify_all(); }

private:
    std::atomic<std::uint64_t> word_;
};

}  // namespace pollen::detail
