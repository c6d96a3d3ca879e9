// White-box tests of the task state word (runtime/detail/task/task_state.hpp) and
// of the harness that acts on its decisions (runtime/detail/task/task.cpp):
// - every pure transition on a fresh, idle, running, notified, complete and
//   cancelled snapshot, and invariants over every flag combination;
// - the atomic State under racing wakers, an abort, a JoinHandle drop and a
//   runner, checking one queue entry at a time, one runner at a time and
//   exactly one dealloc;
// - the real harness (run_task, wakes, abort_task, drop_join_handle) on a
//   task of a fake scheduler, with a counting dealloc, under the same races.
// Meant to run under TSan as well as plain.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <pollen/runtime/detail/scheduler.hpp>
#include <pollen/runtime/detail/task/task.hpp>
#include <pollen/runtime/detail/task/task_state.hpp>
#include <pollen/runtime/join_handle.hpp>

using namespace pollen;
using namespace pollen::detail;
using namespace pollen::detail::task_state;

namespace {

constexpr Snapshot snap(std::uint64_t flags, std::uint64_t refs) { return Snapshot(flags | refs * kRefOne); }

// The transitions are constexpr: the common path checked at compile time.
static_assert(to_running(Snapshot(kInitial)).decision == TransitionToRunning::kSuccess);
static_assert(to_running(Snapshot(kInitial)).next == snap(kRunning | kJoinInterest, 3));
static_assert(to_idle(snap(kRunning | kJoinInterest, 3)).decision == TransitionToIdle::kOk);
static_assert(to_idle(snap(kRunning | kJoinInterest, 3)).next == snap(kJoinInterest, 2));

TEST(TaskState, FreshTaskIsNotifiedWithThreeReferencesAndJoinInterest) {
    Snapshot s(kInitial);
    EXPECT_EQ(s.ref_count(), 3u);
    EXPECT_TRUE(s.is_notified());
    EXPECT_TRUE(s.is_join_interested());
    EXPECT_TRUE(s.is_idle());
    EXPECT_FALSE(s.is_running() || s.is_complete() || s.is_cancelled() || s.is_reap_waiting());
    State st;
    EXPECT_EQ(st.load(), s);
}

TEST(TaskState, ToRunning) {
    auto r = to_running(snap(kNotified, 2));
    EXPECT_EQ(r.decision, TransitionToRunning::kSuccess);
    EXPECT_EQ(r.next, snap(kRunning, 2)) << "NOTIFIED cleared, the queue's reference kept for the poll";

    r = to_running(snap(kNotified | kCancelled, 2));
    EXPECT_EQ(r.decision, TransitionToRunning::kCancelled);
    EXPECT_EQ(r.next, snap(kRunning | kCancelled, 2));

    r = to_running(snap(kNotified | kRunning, 2));
    EXPECT_EQ(r.decision, TransitionToRunning::kFailed);
    EXPECT_EQ(r.next, snap(kNotified | kRunning, 1)) << "the entry's reference dropped";

    r = to_running(snap(kNotified | kComplete, 2));
    EXPECT_EQ(r.decision, TransitionToRunning::kFailed);
    EXPECT_EQ(r.next, snap(kNotified | kComplete, 1));

    r = to_running(snap(kNotified | kComplete, 1));
    EXPECT_EQ(r.decision, TransitionToRunning::kDealloc);
    EXPECT_EQ(r.next.ref_count(), 0u);
}

TEST(TaskState, ToIdle) {
    auto r = to_idle(snap(kRunning, 2));
    EXPECT_EQ(r.decision, TransitionToIdle::kOk);
    EXPECT_EQ(r.next, snap(0, 1));

    r = to_idle(snap(kRunning, 1));
    EXPECT_EQ(r.decision, TransitionToIdle::kOkDealloc);
    EXPECT_EQ(r.next, snap(0, 0));

    r = to_idle(snap(kRunning | kNotified, 2));
    EXPECT_EQ(r.decision, TransitionToIdle::kOkNotified);
    EXPECT_EQ(r.next, snap(kNotified, 2)) << "the reference stays for the queue";

    r = to_idle(snap(kRunning | kNotified | kCancelled, 2));
    EXPECT_EQ(r.decision, TransitionToIdle::kCancelled);
    EXPECT_EQ(r.next, snap(kRunning | kNotified | kCancelled, 2)) << "unchanged: the runner keeps RUNNING";
}

TEST(TaskState, ToIdleDeferred) {
    auto r = to_idle_deferred(snap(kRunning, 1));
    EXPECT_EQ(r.decision, TransitionToIdleDeferred::kDefer);
    EXPECT_EQ(r.next, snap(kNotified, 1)) << "the entry's reference goes to the defer list, even the last";

    r = to_idle_deferred(snap(kRunning | kNotified | kJoinInterest, 3));
    EXPECT_EQ(r.decision, TransitionToIdleDeferred::kDefer);
    EXPECT_EQ(r.next, snap(kNotified | kJoinInterest, 3)) << "a wake during the poll: still one entry";

    r = to_idle_deferred(snap(kRunning | kCancelled, 2));
    EXPECT_EQ(r.decision, TransitionToIdleDeferred::kCancelled);
    EXPECT_EQ(r.next, snap(kRunning | kCancelled, 2)) << "unchanged: the runner keeps RUNNING";
}

TEST(TaskState, ToNotifiedByRef) {
    auto r = to_notified_by_ref(snap(0, 2));
    EXPECT_EQ(r.decision, TransitionToNotifiedByRef::kSubmit);
    EXPECT_EQ(r.next, snap(kNotified, 3)) << "a reference for the queue";

    r = to_notified_by_ref(snap(kRunning, 2));
    EXPECT_EQ(r.decision, TransitionToNotifiedByRef::kDoNothing);
    EXPECT_EQ(r.next, snap(kRunning | kNotified, 2)) << "the runner resubmits";

    for (std::uint64_t f : {kNotified, kComplete, kRunning | kNotified, kCancelled | kNotified}) {
        r = to_notified_by_ref(snap(f, 2));
        EXPECT_EQ(r.decision, TransitionToNotifiedByRef::kDoNothing) << f;
        EXPECT_EQ(r.next, snap(f, 2)) << f;
    }
}

TEST(TaskState, ToNotifiedByVal) {
    auto r = to_notified_by_val(snap(0, 2));
    EXPECT_EQ(r.decision, TransitionToNotifiedByVal::kSubmit);
    EXPECT_EQ(r.next, snap(kNotified, 2)) << "the waker's reference becomes the queue's";

    r = to_notified_by_val(snap(kRunning, 2));
    EXPECT_EQ(r.decision, TransitionToNotifiedByVal::kDoNothing);
    EXPECT_EQ(r.next, snap(kRunning | kNotified, 1));

    r = to_notified_by_val(snap(kNotified, 2));
    EXPECT_EQ(r.decision, TransitionToNotifiedByVal::kDoNothing);
    EXPECT_EQ(r.next, snap(kNotified, 1));

    r = to_notified_by_val(snap(kComplete, 2));
    EXPECT_EQ(r.decision, TransitionToNotifiedByVal::kDoNothing);
    EXPECT_EQ(r.next, snap(kComplete, 1));

    r = to_notified_by_val(snap(kComplete, 1));
    EXPECT_EQ(r.decision, TransitionToNotifiedByVal::kDealloc);
    EXPECT_EQ(r.next, snap(kComplete, 0));
}

TEST(TaskState, ToNotifiedAndCancel) {
    auto r = to_notified_and_cancel(snap(0, 2));
    EXPECT_EQ(r.decision, TransitionToNotifiedByRef::kSubmit);
    EXPECT_EQ(r.next, snap(kNotified | kCancelled, 3));

    r = to_notified_and_cancel(snap(kRunning, 2));
    EXPECT_EQ(r.decision, TransitionToNotifiedByRef::kDoNothing);
    EXPECT_EQ(r.next, snap(kRunning | kCancelled, 2));

    r = to_notified_and_cancel(snap(kNotified, 2));
    EXPECT_EQ(r.decision, TransitionToNotifiedByRef::kDoNothing);
    EXPECT_EQ(r.next, snap(kNotified | kCancelled, 2));

    for (std::uint64_t f : {kComplete, kCancelled, kCancelled | kRunning}) {
        r = to_notified_and_cancel(snap(f, 2));
        EXPECT_EQ(r.decision, TransitionToNotifiedByRef::kDoNothing) << f;
        EXPECT_EQ(r.next, snap(f, 2)) << f;
    }
}

TEST(TaskState, ToShutdown) {
    auto r = to_shutdown(snap(kComplete, 1));
    EXPECT_EQ(r.decision, TransitionToShutdown::kNothing);
    EXPECT_EQ(r.next, snap(kComplete, 1));

    r = to_shutdown(snap(kRunning, 2));
    EXPECT_EQ(r.decision, TransitionToShutdown::kRunnerCancels);
    EXPECT_EQ(r.next, snap(kRunning | kCancelled, 2));

    r = to_shutdown(snap(kNotified, 2));
    EXPECT_EQ(r.decision, TransitionToShutdown::kCancelHere);
    EXPECT_EQ(r.next, snap(kNotified | kRunning | kCancelled, 3)) << "RUNNING and a reference for the canceller";
}

TEST(TaskState, ToReaped) {
    EXPECT_EQ(to_reaped(snap(kComplete, 1), false).decision, ReapAction::kNothing);
    EXPECT_EQ(to_reaped(snap(kComplete, 1), false).next, snap(kComplete, 1));

    auto r = to_reaped(snap(0, 2), false);
    EXPECT_EQ(r.decision, ReapAction::kCancelHere);
    EXPECT_EQ(r.next, snap(kRunning | kCancelled, 3));

    r = to_reaped(snap(kRunning, 2), true);
    EXPECT_EQ(r.decision, ReapAction::kNothing) << "the reaper is inside this poll";
    EXPECT_EQ(r.next, snap(kRunning | kCancelled, 2));

    r = to_reaped(snap(kRunning, 2), false);
    EXPECT_EQ(r.decision, ReapAction::kWaitForRunner);
    EXPECT_EQ(r.next, snap(kRunning | kCancelled | kReapWaiting, 2));
}

TEST(TaskState, UnsetJoinInterest) {
    // Before completion, no waker stored: the handle's reference goes in the same step.
    auto r = unset_join_interest(snap(kJoinInterest | kRunning, 2));
    EXPECT_FALSE(r.decision.drop_output);
    EXPECT_FALSE(r.decision.drop_waker);
    EXPECT_TRUE(r.decision.ref_dropped);
    EXPECT_EQ(r.next, snap(kRunning, 1));
    // ...but never the last reference: that one the caller drops (and frees).
    r = unset_join_interest(snap(kJoinInterest | kRunning, 1));
    EXPECT_FALSE(r.decision.ref_dropped);
    EXPECT_EQ(r.next, snap(kRunning, 1));
    // With a waker stored: both bits go, and the slot is the handle's to empty.
    r = unset_join_interest(snap(kJoinInterest | kJoinWaker | kRunning, 2));
    EXPECT_FALSE(r.decision.drop_output);
    EXPECT_TRUE(r.decision.drop_waker);
    EXPECT_FALSE(r.decision.ref_dropped);
    EXPECT_EQ(r.next, snap(kRunning, 2)) << "completion must no longer touch the slot";

    // After: the output is the handle's; the slot too unless the completer
    // still holds it (JOIN_WAKER), which then sees no interest and empties it.
    r = unset_join_interest(snap(kJoinInterest | kComplete, 2));
    EXPECT_TRUE(r.decision.drop_output);
    EXPECT_TRUE(r.decision.drop_waker);
    EXPECT_FALSE(r.decision.ref_dropped);
    EXPECT_EQ(r.next, snap(kComplete, 2));
    r = unset_join_interest(snap(kJoinInterest | kJoinWaker | kComplete, 2));
    EXPECT_TRUE(r.decision.drop_output);
    EXPECT_FALSE(r.decision.drop_waker);
    EXPECT_EQ(r.next, snap(kJoinWaker | kComplete, 2));
}

TEST(TaskState, SetAndUnsetJoinWaker) {
    auto r = set_join_waker(snap(kJoinInterest, 2));
    EXPECT_EQ(r.decision, JoinWakerUpdate::kOk);
    EXPECT_EQ(r.next, snap(kJoinInterest | kJoinWaker, 2));
    r = set_join_waker(snap(kJoinInterest | kComplete, 2));
    EXPECT_EQ(r.decision, JoinWakerUpdate::kComplete);
    EXPECT_EQ(r.next, snap(kJoinInterest | kComplete, 2)) << "a failed set changes nothing";

    r = unset_join_waker(snap(kJoinInterest | kJoinWaker | kRunning, 2));
    EXPECT_EQ(r.decision, JoinWakerUpdate::kOk);
    EXPECT_EQ(r.next, snap(kJoinInterest | kRunning, 2));
    r = unset_join_waker(snap(kJoinInterest | kJoinWaker | kComplete, 2));
    EXPECT_EQ(r.decision, JoinWakerUpdate::kComplete);
    EXPECT_EQ(r.next, snap(kJoinInterest | kJoinWaker | kComplete, 2)) << "the completer owns the slot";

    auto u = unset_waker_after_complete(snap(kJoinInterest | kJoinWaker | kComplete, 2));
    EXPECT_EQ(u.decision, UnsetWakerAfterComplete::kHandleOwnsWaker);
    EXPECT_EQ(u.next, snap(kJoinInterest | kComplete, 2));
    u = unset_waker_after_complete(snap(kJoinWaker | kComplete, 2));
    EXPECT_EQ(u.decision, UnsetWakerAfterComplete::kDropWaker);
    EXPECT_EQ(u.next, snap(kComplete, 2));
}

TEST(TaskState, ToCompleteOnTheAtomicMatchesThePureFunction) {
    for (std::uint64_t extra : {std::uint64_t(0), kJoinInterest, kJoinInterest | kJoinWaker, kReapWaiting,
                                kJoinInterest | kReapWaiting, kNotified | kCancelled}) {
        Snapshot before = snap(kRunning | extra, 2);
        auto pure = to_complete(before);
        EXPECT_EQ(pure.decision.wake_joiner, bool(extra & kJoinWaker));
        EXPECT_EQ(pure.decision.drop_output, !(extra & kJoinInterest));
        EXPECT_EQ(pure.decision.wake_reaper, bool(extra & kReapWaiting));
        EXPECT_EQ(pure.next, snap(kComplete | extra, 2));

        State st;
        // Drive the word to `before`: run, then set the extras by hand.
        ASSERT_EQ(st.transition_to_running(), TransitionToRunning::kSuccess);
        if (!(extra & kJoinInterest)) {
            UnsetJoinInterest u = st.unset_join_interest();
            ASSERT_FALSE(u.drop_output);
            if (u.ref_dropped) st.ref_inc();  // keep the count this test expects
        }
        if (extra & kJoinWaker) { ASSERT_EQ(st.set_join_waker(), JoinWakerUpdate::kOk); }
        ASSERT_EQ(st.ref_dec(), RefDec::kAlive);
        if (extra & kCancelled) { ASSERT_EQ(st.transition_to_notified_and_cancel(), TransitionToNotifiedByRef::kDoNothing); }
        if (extra & kNotified) { ASSERT_EQ(st.transition_to_notified_by_ref(), TransitionToNotifiedByRef::kDoNothing); }
        if (extra & kReapWaiting) { ASSERT_EQ(st.transition_to_reaped(false), ReapAction::kWaitForRunner); }
        Snapshot now = st.load();
        ASSERT_EQ(now.without(kCancelled), before.without(kCancelled));

        TransitionToComplete got = st.transition_to_complete();
        EXPECT_EQ(got.wake_joiner, pure.decision.wake_joiner);
        EXPECT_EQ(got.drop_output, pure.decision.drop_output);
        EXPECT_EQ(got.wake_reaper, pure.decision.wake_reaper);
        EXPECT_EQ(st.load(), to_complete(now).next);
    }
}

TEST(TaskState, RefCountingDeallocsOnTheLastReference) {
    State st;  // 3 references
    st.ref_inc();
    EXPECT_EQ(st.load().ref_count(), 4u);
    EXPECT_EQ(st.ref_dec(2), RefDec::kAlive);
    EXPECT_EQ(st.ref_dec(), RefDec::kAlive);
    EXPECT_EQ(st.ref_dec(), RefDec::kDealloc);
    EXPECT_EQ(st.load().ref_count(), 0u);
}

/// Every transition on every flag combination (with 1..3 references,
/// within each one's preconditions): COMPLETE is never cleared, RUNNING is
/// never set with COMPLETE, and the reference count moves as the decision says.
TEST(TaskState, InvariantsHoldForEveryTransitionOnEveryState) {
    auto valid = [](Snapshot s) { return !(s.is_running() && s.is_complete()); };
    for (std::uint64_t flags = 0; flags <= kFlagsMask; ++flags) {
        for (std::uint64_t refs = 1; refs <= 3; ++refs) {
            Snapshot s = snap(flags, refs);
            if (!valid(s)) continue;
            SCOPED_TRACE(::testing::Message() << "flags=" << flags << " refs=" << refs);
            auto check = [&](Snapshot next, std::int64_t ref_delta) {
                EXPECT_TRUE(valid(next));
                if (s.is_complete()) { EXPECT_TRUE(next.is_complete()); }
                EXPECT_EQ(std::int64_t(next.ref_count()) - std::int64_t(refs), ref_delta);
            };
            if (s.is_notified()) {
                auto r = to_running(s);
                check(r.next, (r.decision == TransitionToRunning::kFailed ||
                               r.decision == TransitionToRunning::kDealloc) ? -1 : 0);
                if (r.decision == TransitionToRunning::kSuccess || r.decision == TransitionToRunning::kCancelled) {
                    EXPECT_TRUE(r.next.is_running() && !r.next.is_notified());
                }
                EXPECT_EQ(r.decision == TransitionToRunning::kDealloc, r.next.ref_count() == 0);
            }
            if (s.is_running()) {
                auto r = to_idle(s);
                check(r.next, (r.decision == TransitionToIdle::kOk || r.decision == TransitionToIdle::kOkDealloc)
                                  ? -1 : 0);
                EXPECT_EQ(r.decision == TransitionToIdle::kOkDealloc, r.next.ref_count() == 0);
                EXPECT_EQ(r.next.is_running(), r.decision == TransitionToIdle::kCancelled);
                auto c = to_complete(s);
                check(c.next, 0);
                EXPECT_TRUE(c.next.is_complete() && !c.next.is_running());
            }
            {
                auto r = to_notified_by_ref(s);
                check(r.next, r.decision == TransitionToNotifiedByRef::kSubmit ? 1 : 0);
                if (r.decision == TransitionToNotifiedByRef::kSubmit) { EXPECT_TRUE(s.is_idle() && !s.is_notified()); }
            }
            if (!s.is_running() || refs >= 2) {  // a runner holds a reference besides the waker's
                auto r = to_notified_by_val(s);
                check(r.next, r.decision == TransitionToNotifiedByVal::kSubmit ? 0 : -1);
                EXPECT_EQ(r.decision == TransitionToNotifiedByVal::kDealloc, r.next.ref_count() == 0);
                if (r.decision == TransitionToNotifiedByVal::kSubmit) { EXPECT_TRUE(s.is_idle() && !s.is_notified()); }
            }
            {
                auto r = to_notified_and_cancel(s);
                check(r.next, r.decision == TransitionToNotifiedByRef::kSubmit ? 1 : 0);
                if (!s.is_complete()) { EXPECT_TRUE(r.next.is_cancelled()); }
            }
            {
                auto r = to_shutdown(s);
                check(r.next, r.decision == TransitionToShutdown::kCancelHere ? 1 : 0);
                EXPECT_EQ(r.decision == TransitionToShutdown::kCancelHere, s.is_idle());
            }
            for (bool here : {false, true}) {
                auto r = to_reaped(s, here);
                check(r.next, r.decision == ReapAction::kCancelHere ? 1 : 0);
                EXPECT_EQ(r.next.is_reap_waiting(), s.is_reap_waiting() || r.decision == ReapAction::kWaitForRunner);
            }
            if (s.is_join_interested()) {
                auto r = unset_join_interest(s);
                check(r.next, r.decision.ref_dropped ? -1 : 0);
                EXPECT_FALSE(r.next.is_join_interested());
                EXPECT_EQ(r.decision.drop_output, s.is_complete());
                if (r.decision.ref_dropped) {
                    EXPECT_TRUE(!s.is_complete() && !s.is_join_waker_set());
                    EXPECT_GE(r.next.ref_count(), 1u);
                    EXPECT_FALSE(r.decision.drop_waker);
                } else {
                    // Exactly one side empties the slot: the handle now, or
                    // the completer that still holds it.
                    EXPECT_EQ(r.decision.drop_waker, !(s.is_complete() && s.is_join_waker_set()));
                }
                if (!s.is_complete()) { EXPECT_FALSE(r.next.is_join_waker_set()); }
                auto w = s.is_join_waker_set() ? unset_join_waker(s) : set_join_waker(s);
                check(w.next, 0);
                EXPECT_EQ(w.decision == JoinWakerUpdate::kComplete, s.is_complete());
                if (s.is_complete()) { EXPECT_EQ(w.next, s); }
                else { EXPECT_NE(w.next.is_join_waker_set(), s.is_join_waker_set()); }
            }
            if (s.is_running()) {
                // Completion wakes the joiner only if a handle is there and stored a waker.
                auto c = to_complete(s);
                EXPECT_EQ(c.decision.wake_joiner, s.is_join_interested() && s.is_join_waker_set());
                EXPECT_EQ(c.decision.drop_output, !s.is_join_interested());
            }
            if (s.is_complete() && s.is_join_waker_set()) {
                auto u = unset_waker_after_complete(s);
                check(u.next, 0);
                EXPECT_FALSE(u.next.is_join_waker_set());
                EXPECT_EQ(u.decision == UnsetWakerAfterComplete::kDropWaker, !s.is_join_interested());
            }
        }
    }
}

// ---- the State under racing threads (a model of the harness) ----

/// A task reduced to its state word: a queue of entries, and counters that
/// the invariants are checked on.
struct ModelTask {
    State state;
    std::mutex mu;
    std::deque<int> queue;  // entries (each owns a reference)
    std::atomic<int> in_queue{0};
    std::atomic<int> running{0};
    std::atomic<int> completes{0};
    std::atomic<int> deallocs{0};
    std::atomic<int> double_queued{0};
    std::atomic<int> concurrent_runs{0};

    void submit() {
        if (in_queue.fetch_add(1) != 0) double_queued.fetch_add(1);
        std::lock_guard lock(mu);
        queue.push_back(1);
    }
    bool pop() {
        std::lock_guard lock(mu);
        if (queue.empty()) return false;
        queue.pop_front();
        in_queue.fetch_sub(1);
        return true;
    }
    void dealloc() { deallocs.fetch_add(1); }
    void drop_ref() {
        if (state.ref_dec() == RefDec::kDealloc) dealloc();
    }
    /// The runner's complete(): the owned list's reference and the entry's go.
    void complete() {
        (void)state.transition_to_complete();
        completes.fetch_add(1);
        if (state.ref_dec(2) == RefDec::kDealloc) dealloc();
    }
};

void model_run_once(ModelTask& t, int& polls, int polls_to_finish) {
    switch (t.state.transition_to_running()) {
        case TransitionToRunning::kSuccess:
            break;
        case TransitionToRunning::kCancelled:
            t.complete();
            return;
        case TransitionToRunning::kFailed:
            return;
        case TransitionToRunning::kDealloc:
            t.dealloc();
            return;
    }
    if (t.running.fetch_add(1) != 0) t.concurrent_runs.fetch_add(1);
    bool done = ++polls >= polls_to_finish;
    if (polls % 3 == 0) {  // wakes itself during its poll (yield_now)
        switch (t.state.transition_to_notified_by_ref()) {
            case TransitionToNotifiedByRef::kSubmit:
                ADD_FAILURE() << "a task wakes itself while RUNNING: never a submit";
                break;
            case TransitionToNotifiedByRef::kDoNothing:
                break;
        }
    }
    t.running.fetch_sub(1);
    if (done) {
        t.complete();
        return;
    }
    switch (t.state.transition_to_idle()) {
        case TransitionToIdle::kOk:
            return;
        case TransitionToIdle::kOkNotified:
            t.submit();
            return;
        case TransitionToIdle::kOkDealloc:
            t.dealloc();
            return;
        case TransitionToIdle::kCancelled:
            t.complete();
            return;
    }
}

class StateRace : public ::testing::TestWithParam<int> {};

/// Several wakers (by value and by reference), an abort, a JoinHandle drop
/// and a runner race; the task is in the queue at most once, runs on one
/// thread at a time, completes once and is freed once, after everyone.
TEST_P(StateRace, WakeCancelCompleteDropFromSeveralThreads) {
    const int polls_to_finish = GetParam();
    for (int round = 0; round < 50; ++round) {
        constexpr int kWakers = 4, kWakesEach = 50;
        ModelTask t;
        t.queue.push_back(1);  // the first entry (kInitial's NOTIFIED)
        t.in_queue = 1;
        for (int i = 0; i < kWakers; ++i) t.state.ref_inc();  // each waker thread's Waker

        std::atomic<bool> go{false};
        std::vector<std::thread> threads;
        threads.emplace_back([&] {  // the runner
            int polls = 0;
            while (!go.load()) std::this_thread::yield();
            while (t.deallocs.load() == 0) {
                if (t.pop()) model_run_once(t, polls, polls_to_finish);
                else std::this_thread::yield();
            }
        });
        for (int w = 0; w < kWakers; ++w) {
            threads.emplace_back([&, w] {
                while (!go.load()) std::this_thread::yield();
                for (int i = 0; i < kWakesEach; ++i) {
                    switch (t.state.transition_to_notified_by_ref()) {
                        case TransitionToNotifiedByRef::kSubmit:
                            t.submit();
                            break;
                        case TransitionToNotifiedByRef::kDoNothing:
                            break;
                    }
                    if (i % 8 == w) std::this_thread::yield();
                }
                // The last wake consumes the Waker.
                switch (t.state.transition_to_notified_by_val()) {
                    case TransitionToNotifiedByVal::kSubmit:
                        t.submit();
                        break;
                    case TransitionToNotifiedByVal::kDealloc:
                        t.dealloc();
                        break;
                    case TransitionToNotifiedByVal::kDoNothing:
                        break;
                }
            });
        }
        t.state.ref_inc();  // the AbortHandle's
        threads.emplace_back([&] {  // abort, then the AbortHandle is dropped
            while (!go.load()) std::this_thread::yield();
            for (int i = 0; i < round % 7; ++i) std::this_thread::yield();
            switch (t.state.transition_to_notified_and_cancel()) {
                case TransitionToNotifiedByRef::kSubmit:
                    t.submit();
                    break;
                case TransitionToNotifiedByRef::kDoNothing:
                    break;
            }
            t.drop_ref();
        });
        threads.emplace_back([&] {  // the JoinHandle is dropped
            while (!go.load()) std::this_thread::yield();
            for (int i = 0; i < round % 5; ++i) std::this_thread::yield();
            if (!t.state.unset_join_interest().ref_dropped) t.drop_ref();
        });
        go = true;
        for (auto& th : threads) th.join();

        EXPECT_EQ(t.deallocs.load(), 1);
        EXPECT_EQ(t.completes.load(), 1);
        EXPECT_EQ(t.double_queued.load(), 0);
        EXPECT_EQ(t.concurrent_runs.load(), 0);
        EXPECT_TRUE(t.queue.empty());
        EXPECT_TRUE(t.state.load(std::memory_order_relaxed).is_complete());
        if (HasFailure()) return;
    }
}

INSTANTIATE_TEST_SUITE_P(PollsToFinish, StateRace, ::testing::Values(1, 4, 1000));

// ---- the real harness on a fake scheduler ----

/// Runs its tasks on whichever thread calls run_one(); counts submissions.
class FakeScheduler final : public Scheduler {
public:
    void schedule(Header* t) override {
        std::lock_guard lock(mu_);
        for (Header* q : queue_)
            if (q == t) double_queued.fetch_add(1);
        queue_.push_back(t);
        submits.fetch_add(1);
    }
    std::shared_ptr<Parker> block_on_parker() override { return nullptr; }
    void drive_until_woken(BlockOnSignal&) override {}
    void shutdown() override {}
    void fill_metrics(RuntimeMetrics&) override {}

    bool run_one() {
        Header* t;
        {
            std::lock_guard lock(mu_);
            if (queue_.empty()) return false;
            t = queue_.front();
            queue_.pop_front();
        }
        run_task(t);
        return true;
    }
    void push_first(Header* t) {
        std::lock_guard lock(mu_);
        queue_.push_back(t);
    }

    std::atomic<int> submits{0};
    std::atomic<int> double_queued{0};

private:
    std::mutex mu_;
    std::deque<Header*> queue_;
};

/// A bank of Waker clones the task deposits at each poll, for other threads.
struct WakerBank {
    std::mutex mu;
    std::vector<Waker> wakers;
    void put(Waker w) {
        std::lock_guard lock(mu);
        wakers.push_back(std::move(w));
    }
    std::optional<Waker> take() {
        std::lock_guard lock(mu);
        if (wakers.empty()) return std::nullopt;
        Waker w = std::move(wakers.back());
        wakers.pop_back();
        return w;
    }
};

std::atomic<int> g_deallocs{0};
std::atomic<int> g_concurrent_polls{0};
std::atomic<int> g_describes{0};
std::atomic<int> g_describes_during_poll{0};

/// Deposits a clone of its waker each poll; Ready after `left` polls.
struct DepositsItsWaker {
    using Output = int;
    WakerBank* bank;
    int left;
    std::atomic<int>* in_poll;
    Poll<int> poll(Context& cx) {
        if (in_poll->fetch_add(1) != 0) g_concurrent_polls.fetch_add(1);
        bank->put(Waker(cx.waker()));
        bool done = --left <= 0;
        in_poll->fetch_sub(1);
        if (done) return ready(7);
        return pending;
    }
    /// A task dump reads the future: never while it is polled.
    void describe(TraceVisitor& v) const {
        if (in_poll->load() != 0) g_describes_during_poll.fetch_add(1);
        g_describes.fetch_add(1);
        v.waits_on("the bank");
    }
};

using TestCell = Cell<DepositsItsWaker>;
void counting_dealloc(Header* h) {
    g_deallocs.fetch_add(1);
    TestCell::dealloc(h);
}
constexpr TaskVTable kCountingVTable{TestCell::poll_future, TestCell::cancel, TestCell::drop_output,
                                     counting_dealloc, TestCell::output_slot, TestCell::describe};

struct HarnessCase {
    int polls_to_finish;
    bool detect_lost_wakers;
};

class HarnessRace : public ::testing::TestWithParam<HarnessCase> {};

/// The real task under a runner, waker threads (by value and by reference),
/// an abort, a JoinHandle drop and a task dump reading it over and over:
/// submitted at most once at a time, polled on one thread at a time, never
/// read while polled, freed exactly once, after every reference.
TEST_P(HarnessRace, WakeAbortDropWhileRunning) {
    const HarnessCase c = GetParam();
    for (int round = 0; round < 30; ++round) {
        g_deallocs = 0;
        g_concurrent_polls = 0;
        g_describes_during_poll = 0;
        auto sched = std::make_shared<FakeScheduler>();
        sched->slow_poll_ns = 0;
        sched->detect_lost_wakers = c.detect_lost_wakers;
        WakerBank bank;
        std::atomic<int> in_poll{0};
        auto* cell = new TestCell(DepositsItsWaker{&bank, c.polls_to_finish, &in_poll}, sched.get(), 1,
                                  TaskDiagnostics(std::source_location::current()));
        static_cast<Header*>(cell)->vtable = &kCountingVTable;
        ASSERT_TRUE(sched->owned().bind(cell));
        Header* task = cell;  // references: owned list, JoinHandle, first entry
        sched->push_first(task);

        std::atomic<bool> go{false}, stop_wakers{false};
        std::vector<std::thread> threads;
        threads.emplace_back([&] {  // the runner
            while (!go.load()) std::this_thread::yield();
            while (g_deallocs.load() == 0)
                if (!sched->run_one()) std::this_thread::yield();
        });
        for (int w = 0; w < 3; ++w) {
            threads.emplace_back([&, w] {
                while (!go.load()) std::this_thread::yield();
                while (!stop_wakers.load()) {
                    if (std::optional<Waker> wk = bank.take()) {
                        if (w == 0) wk->wake_by_ref();  // then dropped
                        else std::move(*wk).wake();
                    } else {
                        std::this_thread::yield();
                    }
                }
            });
        }
        task->state.ref_inc();  // the AbortHandle's
        threads.emplace_back([&] {  // abort, then the AbortHandle is dropped
            while (!go.load()) std::this_thread::yield();
            for (int i = 0; i < round % 9; ++i) std::this_thread::yield();
            abort_task(task);
            drop_reference(task);
        });
        threads.emplace_back([&] {  // the JoinHandle is dropped
            while (!go.load()) std::this_thread::yield();
            for (int i = 0; i < round % 4; ++i) std::this_thread::yield();
            drop_join_handle(task);
        });
        task->state.ref_inc();  // the dumper's (its snapshot of the owned list)
        threads.emplace_back([&] {  // a task dump, again and again until the end
            while (!go.load()) std::this_thread::yield();
            while (!stop_wakers.load()) {
                TraceFrame tree;
                if (trace_idle_task(task, tree)) {
                    EXPECT_EQ(tree.waits_on, "the bank");
                }
                std::this_thread::yield();
            }
            drop_reference(task);
        });
        go = true;
        // The task ends (it completes or is aborted); then no new clone is made.
        while (sched->owned().alive() != 0) std::this_thread::yield();
        stop_wakers = true;
        for (std::size_t i = 1; i < threads.size(); ++i) threads[i].join();
        while (bank.take()) {
        }  // the wakers left in the bank are dropped: the last reference goes
        threads[0].join();

        EXPECT_EQ(g_deallocs.load(), 1);
        EXPECT_EQ(sched->double_queued.load(), 0);
        EXPECT_EQ(g_concurrent_polls.load(), 0);
        EXPECT_EQ(g_describes_during_poll.load(), 0);
        EXPECT_EQ(sched->lost_wakers.load(), 0u);
        if (HasFailure()) return;
    }
}

/// A waker that counts what is done with it (data: its WakeCounter).
struct WakeCounter {
    std::atomic<int> clones{0}, drops{0}, wakes{0};
    std::atomic<bool> woken{false};
};
RawWaker counter_clone(const void* d);
void counter_wake_by_ref(const void* d) {
    auto* c = static_cast<WakeCounter*>(const_cast<void*>(d));
    c->wakes.fetch_add(1);
    c->woken.store(true);
}
void counter_drop(const void* d) { static_cast<WakeCounter*>(const_cast<void*>(d))->drops.fetch_add(1); }
void counter_wake(const void* d) {
    counter_wake_by_ref(d);
    counter_drop(d);
}
const RawWakerVTable kCounterVTable{counter_clone, counter_wake, counter_wake_by_ref, counter_drop};
RawWaker counter_clone(const void* d) {
    static_cast<WakeCounter*>(const_cast<void*>(d))->clones.fetch_add(1);
    return {d, &kCounterVTable};
}

/// Ready(7) after `left` polls, waking itself each time.
struct SelfWaking {
    using Output = int;
    int left;
    Poll<int> poll(Context& cx) {
        if (--left <= 0) return ready(7);
        cx.waker().wake_by_ref();
        return pending;
    }
};

/// The join waker slot (JOIN_WAKER) under a race between the JoinHandle,
/// polled on its own thread with a different waker each time, and the
/// runner completing the task: the handle is always woken after it returned
/// Pending (no lost wake), sees 7, and every clone of its wakers is dropped
/// by the time the task is freed (no waker leaked or dropped twice).
TEST(JoinWakerRace, TheHandleIsWokenOnceCompleteAndNoWakerLeaks) {
    using Cell7 = Cell<SelfWaking>;
    for (int round = 0; round < 300; ++round) {
        auto sched = std::make_shared<FakeScheduler>();
        sched->slow_poll_ns = 0;
        auto* cell = new Cell7(SelfWaking{1 + round % 7}, sched.get(), 1, TaskDiagnostics(std::source_location::current()));
        ASSERT_TRUE(sched->owned().bind(cell));
        Header* task = cell;
        sched->push_first(task);
        WakeCounter counters[2];

        std::atomic<bool> go{false};
        std::thread runner([&] {
            while (!go.load()) std::this_thread::yield();
            for (int i = 0; i < round % 5; ++i) std::this_thread::yield();
            while (sched->run_one()) {
            }
        });
        std::optional<int> got;
        bool lost = false;
        {
            JoinHandle<int> handle(task);
            go = true;
            for (int poll = 0; !got; ++poll) {
                WakeCounter& c = counters[poll % 2];
                c.woken = false;
                Waker w(RawWaker{&c, &kCounterVTable});
                Context cx(w);
                auto p = handle.poll(cx);
                (void)std::move(w).into_raw();  // borrowed: not counted
                if (p.is_ready()) {
                    got = p.take().value();
                    break;
                }
                // Hang guard only: a lost wake never comes.
                auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
                while (!c.woken.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
                if (!c.woken.load()) {
                    lost = true;
                    break;
                }
            }
        }
        runner.join();
        ASSERT_FALSE(lost) << "round " << round << ": the JoinHandle returned Pending and was never woken";
        EXPECT_EQ(got, 7);
        EXPECT_EQ(sched->owned().alive(), 0u);
        for (WakeCounter& c : counters) EXPECT_EQ(c.clones.load(), c.drops.load()) << "round " << round;
        if (HasFailure()) return;
    }
}

/// A JoinHandle dropped after storing its waker lets go of it at once (the
/// task still runs), and one dropped after completion destroys the output.
TEST(JoinWaker, DroppingTheHandleReleasesItsWakerAndTheOutput) {
    auto sched = std::make_shared<FakeScheduler>();
    sched->slow_poll_ns = 0;
    auto* cell = new Cell<SelfWaking>(SelfWaking{3}, sched.get(), 1, TaskDiagnostics(std::source_location::current()));
    ASSERT_TRUE(sched->owned().bind(cell));
    Header* task = cell;
    sched->push_first(task);
    WakeCounter c;
    {
        JoinHandle<int> handle(task);
        Waker w(RawWaker{&c, &kCounterVTable});
        Context cx(w);
        EXPECT_TRUE(handle.poll(cx).is_pending());
        (void)std::move(w).into_raw();
        EXPECT_EQ(c.clones.load(), 1);
        EXPECT_EQ(c.drops.load(), 0);
    }
    EXPECT_EQ(c.drops.load(), 1) << "the stored waker goes with the handle";
    task->state.ref_inc();  // keep the cell to look at it after completion
    while (sched->run_one()) {
    }
    EXPECT_TRUE(task->state.is_complete());
    EXPECT_FALSE(task->has_output) << "no handle: the completer destroyed the output";
    EXPECT_EQ(c.wakes.load(), 0);
    drop_reference(task);
}

INSTANTIATE_TEST_SUITE_P(Cases, HarnessRace,
                         ::testing::Values(HarnessCase{1, false}, HarnessCase{5, false}, HarnessCase{1000, false},
                                           HarnessCase{5, true}, HarnessCase{1000, true}));

}  // namespace
