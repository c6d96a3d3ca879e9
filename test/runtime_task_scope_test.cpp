// TaskScope: structured concurrency. join() in spawn order, the first
// failure (Err, exception, cancellation) cancelling the siblings, children
// borrowing the owner's data, and destruction mid-way reaping every child
// before it returns (idle ones in place, running ones awaited), under both
// flavours and under cancel_at_every_point.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/async_fn.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>
#include <pollen/runtime/builder.hpp>
#include <pollen/runtime/runtime.hpp>
#include <pollen/runtime/task_scope.hpp>
#include <pollen/runtime/yield_now.hpp>

#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace std::chrono_literals;
using pollen::testing::cancel_at_every_point;

namespace {

Runtime make_runtime(bool multi_thread) {
    if (multi_thread) return Builder::new_multi_thread().worker_threads(2).build();
    return Builder::new_current_thread().build();
}

/// How many child futures exist (every object, moved-from ones too, so 0
/// means every one was destroyed) and how many were polled at least once.
struct Live {
    std::atomic<int> live{0};
    std::atomic<int> polled{0};
};

template <class F>
struct Tracked : FutureExt<Tracked<F>> {
    using Output = output_t<F>;
    F f;
    Live* counts;
    bool first = true;
    Tracked(F fut, Live& l) : f(std::move(fut)), counts(&l) { counts->live.fetch_add(1); }
    Tracked(Tracked&& o) noexcept : f(std::move(o.f)), counts(o.counts), first(o.first) { counts->live.fetch_add(1); }
    ~Tracked() { counts->live.fetch_sub(1); }
    Poll<Output> poll(Context& cx) {
        if (first) {
            first = false;
            counts->polled.fetch_add(1);
        }
        return f.poll(cx);
    }
};
template <class F>
Tracked<F> tracked(F f, Live& l) {
    return Tracked<F>(std::move(f), l);
}

/// Ready with `value` at its (n+1)th poll, waking itself in between.
template <class T>
struct AfterPolls : FutureExt<AfterPolls<T>> {
    using Output = T;
    int left;
    std::optional<T> value;
    AfterPolls(int n, T v) : left(n), value(std::move(v)) {}
    Poll<T> poll(Context& cx) {
        if (left > 0) {
            --left;
            cx.waker().wake_by_ref();
            return pending;
        }
        return Ready<T>{std::move(*value)};
    }
};

/// Pending forever, keeping its waker.
template <class T>
struct Never : FutureExt<Never<T>> {
    using Output = T;
    std::optional<Waker> waker;
    Poll<T> poll(Context& cx) {
        waker = cx.waker();
        return pending;
    }
};

/// Throws at its (n+1)th poll.
template <class T>
struct ThrowAfter : FutureExt<ThrowAfter<T>> {
    using Output = T;
    int left;
    explicit ThrowAfter(int n) : left(n) {}
    Poll<T> poll(Context& cx) {
        if (left-- > 0) {
            cx.waker().wake_by_ref();
            return pending;
        }
        throw std::runtime_error("boom");
    }
};

/// Runs the runtime until `done()`; on a multi-thread runtime the tasks run
/// on the workers meanwhile.
bool run_until(Runtime& rt, const std::function<bool()>& done) { return test::run_until(rt, done); }

class TaskScopeTest : public ::testing::TestWithParam<bool> {};

}  // namespace

TEST_P(TaskScopeTest, JoinGivesOutputsInSpawnOrderThenTheScopeIsEmpty) {
    Runtime rt = make_runtime(GetParam());
    auto enter = rt.enter();
    TaskScope<int> scope;
    // The later a child is spawned, the sooner it finishes.
    for (int i = 0; i < 8; ++i) scope.spawn(AfterPolls<int>(8 - i, i * 10));
    Result<std::vector<int>, JoinError> r = rt.block_on(scope.join());
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value(), (std::vector<int>{0, 10, 20, 30, 40, 50, 60, 70}));

    // Joined: empty, and usable again.
    EXPECT_TRUE(rt.block_on(scope.join()).value().empty());
    scope.spawn(AfterPolls<int>(1, 7));
    scope.spawn(AfterPolls<int>(0, 8));
    EXPECT_EQ(rt.block_on(scope.join()).value(), (std::vector<int>{7, 8}));
}

TEST_P(TaskScopeTest, VoidChildrenJoinToOk) {
    Runtime rt = make_runtime(GetParam());
    auto enter = rt.enter();
    std::atomic<int> ran{0};
    TaskScope<void> scope;
    for (int i = 0; i < 10; ++i)
        scope.spawn(yield_now().map([&ran] { ran.fetch_add(1); }));
    Result<void, JoinError> r = rt.block_on(scope.join());
    EXPECT_TRUE(r.is_ok());
    EXPECT_EQ(ran.load(), 10);
}

TEST_P(TaskScopeTest, FirstErrorCancelsTheSiblingsAndIsReturned) {
    using R = Result<int, std::string>;
    Runtime rt = make_runtime(GetParam());
    auto enter = rt.enter();
    Live siblings;
    TaskScope<R> scope;
    scope.spawn(AfterPolls<R>(0, Ok(1)));  // finished before the failure: no matter
    for (int i = 0; i < 4; ++i) scope.spawn(tracked(Never<R>{}, siblings));
    scope.spawn(AfterPolls<R>(3, Err(std::string("bad"))));
    for (int i = 0; i < 4; ++i) scope.spawn(tracked(Never<R>{}, siblings));

    Result<std::vector<int>, ScopeError<std::string>> r = rt.block_on(scope.join());
    ASSERT_TRUE(r.is_err());
    ASSERT_TRUE(r.error().is_child_error());
    EXPECT_EQ(r.error().child_error(), "bad");
    // join() returns only once every sibling's future is destroyed.
    EXPECT_EQ(siblings.live.load(), 0);
}

TEST_P(TaskScopeTest, FailureCancelsTheSiblingsWithoutWaitingForJoin) {
    using R = Result<int, std::string>;
    Runtime rt = make_runtime(GetParam());
    auto enter = rt.enter();
    Live siblings;
    TaskScope<R> scope;
    for (int i = 0; i < 3; ++i) scope.spawn(tracked(Never<R>{}, siblings));
    scope.spawn(AfterPolls<R>(1, Err(std::string("bad"))));
    // Nobody awaits join() yet: the failing child cancels its siblings itself.
    EXPECT_TRUE(run_until(rt, [&] { return siblings.live.load() == 0; }));
    // Spawned after the failure: cancelled before its first poll.
    Live late;
    scope.spawn(tracked(Never<R>{}, late));
    auto r = rt.block_on(scope.join());
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().child_error(), "bad");
    EXPECT_EQ(late.live.load(), 0);
    EXPECT_EQ(late.polled.load(), 0);
}

TEST_P(TaskScopeTest, ExceptionInAChildIsTheFirstErrorAsAPanic) {
    Runtime rt = make_runtime(GetParam());
    auto enter = rt.enter();
    Live siblings;
    {
        TaskScope<int> scope;
        for (int i = 0; i < 3; ++i) scope.spawn(tracked(Never<int>{}, siblings));
        scope.spawn(ThrowAfter<int>(2));
        Result<std::vector<int>, JoinError> r = rt.block_on(scope.join());
        ASSERT_TRUE(r.is_err());
        ASSERT_TRUE(r.error().is_panic());
        EXPECT_THROW(r.error().rethrow(), std::runtime_error);
        EXPECT_EQ(siblings.live.load(), 0);
    }
    {
        using R = Result<int, std::string>;
        TaskScope<R> scope;
        for (int i = 0; i < 3; ++i) scope.spawn(tracked(Never<R>{}, siblings));
        scope.spawn(ThrowAfter<R>(1));
        auto r = rt.block_on(scope.join());
        ASSERT_TRUE(r.is_err());
        ASSERT_TRUE(r.error().is_join_error());
        EXPECT_TRUE(r.error().join_error().is_panic());
        EXPECT_THROW((void)std::move(r).error().into_child_error(), std::runtime_error);
        EXPECT_EQ(siblings.live.load(), 0);
    }
}

TEST_P(TaskScopeTest, AChildCancelledThroughItsAbortHandleIsAFailure) {
    Runtime rt = make_runtime(GetParam());
    auto enter = rt.enter();
    Live siblings;
    TaskScope<int> scope;
    scope.spawn(tracked(Never<int>{}, siblings));
    AbortHandle victim = scope.spawn(tracked(Never<int>{}, siblings));
    scope.spawn(tracked(Never<int>{}, siblings));
    victim.abort();
    auto r = rt.block_on(scope.join());
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_cancelled());
    EXPECT_EQ(r.error().id(), victim.id());
    EXPECT_EQ(siblings.live.load(), 0);
}

namespace {

/// Writes `value` into a slot its owner owns, after a few polls.
struct WriteSlot : FutureExt<WriteSlot> {
    using Output = void;
    int* slot;
    int value;
    int polls;
    Poll<void> poll(Context& cx) {
        if (polls-- > 0) {
            cx.waker().wake_by_ref();
            return pending;
        }
        *slot = value;
        return ready();
    }
};

/// async fn fill(n) -> Result<long, JoinError>: children write into a vector
/// the owner's frame owns, declared before the scope.
struct Fill : Async<Fill, Result<long, JoinError>> {
    std::vector<int> data;  // borrowed by the children
    TaskScope<void> scope;  // after what they borrow: destroyed first
    std::size_t i = 0;
    POLLEN_FRAME;
    explicit Fill(std::size_t n) : data(n, -1) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (i = 0; i < data.size(); ++i) scope.spawn(WriteSlot{{}, &data[i], int(i) * 2, int(i % 5)});
        POLLEN_AWAIT_TRY(scope.join());
        POLLEN_RETURN(Ok(std::accumulate(data.begin(), data.end(), 0L)));
        POLLEN_END;
    }
};

}  // namespace

TEST_P(TaskScopeTest, ChildrenBorrowWhatTheOwnerOwns) {
    Runtime rt = make_runtime(GetParam());
    constexpr std::size_t n = 500;
    // Spawned (the owner is itself a task, and moved into it before its first poll).
    auto r = rt.block_on(rt.spawn(Fill(n)));
    ASSERT_TRUE(r.is_ok());
    ASSERT_TRUE(r.value().is_ok());
    EXPECT_EQ(r.value().value(), long(n * (n - 1)));
    // And as block_on's own future.
    auto direct = rt.block_on(Fill(n));
    ASSERT_TRUE(direct.is_ok());
    EXPECT_EQ(direct.value(), long(n * (n - 1)));
}

namespace {

/// Spawns two children into the scope it borrows, down to `depth`: a tree
/// whose nodes are numbered as a heap (1, 2, 3, ...).
struct Spawner : FutureExt<Spawner> {
    using Output = int;
    TaskScope<int>* scope;
    int depth;
    int value;
    Poll<int> poll(Context&) {
        if (depth > 0) {
            scope->spawn(Spawner{{}, scope, depth - 1, value * 2});
            scope->spawn(Spawner{{}, scope, depth - 1, value * 2 + 1});
        }
        return Ready<int>{value};
    }
};

}  // namespace

TEST_P(TaskScopeTest, ChildrenSpawnSiblingsWhileTheScopeJoins) {
    Runtime rt = make_runtime(GetParam());
    auto enter = rt.enter();
    TaskScope<int> scope;
    scope.spawn(Spawner{{}, &scope, 5, 1});
    auto r = rt.block_on(scope.join());
    ASSERT_TRUE(r.is_ok());
    std::vector<int> got = r.value();
    ASSERT_EQ(got.size(), 63u);
    EXPECT_EQ(got[0], 1);  // spawn order: the root first
    std::sort(got.begin(), got.end());
    std::vector<int> want(63);
    std::iota(want.begin(), want.end(), 1);
    EXPECT_EQ(got, want);
}

TEST_P(TaskScopeTest, DestroyingTheScopeReapsEveryChildBeforeItReturns) {
    Runtime rt = make_runtime(GetParam());
    auto enter = rt.enter();
    Live polled, fresh;
    std::optional<TaskScope<int>> scope(std::in_place);
    for (int i = 0; i < 6; ++i) scope->spawn(tracked(Never<int>{}, polled));
    ASSERT_TRUE(run_until(rt, [&] { return polled.polled.load() == 6; }));
    // Queued (on the current-thread runtime, never polled; the workers may be polling some).
    for (int i = 0; i < 6; ++i) scope->spawn(tracked(Never<int>{}, fresh));
    scope.reset();
    EXPECT_EQ(polled.live.load(), 0);
    EXPECT_EQ(fresh.live.load(), 0);
    if (!GetParam()) {
        EXPECT_EQ(fresh.polled.load(), 0);
    }
}

namespace {

/// Blocks its worker inside its poll until `release`; its destructor is slow,
/// so a reaper that did not wait for it would return before it ends.
struct Busy : FutureExt<Busy> {
    using Output = int;
    std::atomic<int>* entered;
    std::atomic<bool>* release;
    std::atomic<int>* destroyed;
    Busy(std::atomic<int>& e, std::atomic<bool>& r, std::atomic<int>& d) : entered(&e), release(&r), destroyed(&d) {}
    Busy(Busy&& o) noexcept
        : entered(o.entered), release(o.release), destroyed(std::exchange(o.destroyed, nullptr)) {}
    ~Busy() {
        if (!destroyed) return;
        std::this_thread::sleep_for(2ms);
        destroyed->fetch_add(1);
    }
    Poll<int> poll(Context& cx) {
        entered->fetch_add(1);
        while (!release->load()) std::this_thread::yield();
        cx.waker().wake_by_ref();
        return pending;
    }
};

/// Idle forever; its destruction (by the reaper, on the reaper's thread)
/// releases the busy children, so they are mid-poll when the reaper starts.
struct Releaser : FutureExt<Releaser> {
    using Output = int;
    std::atomic<bool>* release;
    std::optional<Waker> waker;
    explicit Releaser(std::atomic<bool>& r) : release(&r) {}
    Releaser(Releaser&& o) noexcept : release(std::exchange(o.release, nullptr)), waker(std::move(o.waker)) {}
    ~Releaser() {
        if (release) release->store(true);
    }
    Poll<int> poll(Context& cx) {
        waker = cx.waker();
        return pending;
    }
};

bool wait_for(const std::function<bool()>& done) {
    auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::yield();
    }
    return true;
}

}  // namespace

TEST(TaskScope, DestroyingTheScopeWaitsForChildrenMidPollOnOtherWorkers) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto enter = rt.enter();
    std::atomic<int> entered{0}, destroyed{0};
    std::atomic<bool> release{false};
    std::optional<TaskScope<int>> scope(std::in_place);
    scope->spawn(Busy(entered, release, destroyed));
    scope->spawn(Busy(entered, release, destroyed));
    scope->spawn(Releaser(release));
    ASSERT_TRUE(wait_for([&] { return entered.load() >= 2; }));  // both workers inside a poll
    scope.reset();
    EXPECT_EQ(destroyed.load(), 2);
}

TEST(TaskScope, DestroyingTheScopeWaitsForAChildMidPollOnTheCurrentThreadRuntimesThread) {
    Runtime rt = Builder::new_current_thread().build();
    std::atomic<bool> stop{false};
    std::thread driver([&] {
        rt.block_on(future::poll_fn([&](Context& cx) -> Poll<void> {
            if (stop.load()) return ready();
            cx.waker().wake_by_ref();
            return pending;
        }));
    });
    std::atomic<int> entered{0}, destroyed{0};
    std::atomic<bool> release{false};
    {
        auto enter = rt.enter();
        std::optional<TaskScope<int>> scope(std::in_place);
        scope->spawn(Busy(entered, release, destroyed));
        scope->spawn(Releaser(release));
        ASSERT_TRUE(wait_for([&] { return entered.load() >= 1; }));
        scope.reset();  // from this thread, while the runtime's thread is in the child's poll
        EXPECT_EQ(destroyed.load(), 1);
    }
    stop.store(true);
    driver.join();
}

namespace {

/// async fn owner(): spawns children that never finish and joins them.
struct NeverOwner : Async<NeverOwner, int> {
    Live* counts;
    TaskScope<int> scope;
    int i = 0;
    POLLEN_FRAME;
    explicit NeverOwner(Live& l) : counts(&l) {}
    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (i = 0; i < 4; ++i) scope.spawn(tracked(Never<int>{}, *counts));
        POLLEN_LET(std::ignore, scope.join());
        POLLEN_RETURN(1);
        POLLEN_END;
    }
};

}  // namespace

TEST_P(TaskScopeTest, AbortingTheOwnerTaskReapsItsChildrenBeforeItsHandleIsReady) {
    Runtime rt = make_runtime(GetParam());
    Live children;
    JoinHandle<int> owner = rt.spawn(NeverOwner(children));
    ASSERT_TRUE(run_until(rt, [&] { return children.polled.load() == 4; }));
    owner.abort();
    auto r = rt.block_on(std::move(owner));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_cancelled());
    EXPECT_EQ(children.live.load(), 0);
}

TEST_P(TaskScopeTest, RuntimeShutdownReapsAnOwnerAndItsChildren) {
    Live children;
    {
        std::optional<Runtime> rt(make_runtime(GetParam()));
        JoinHandle<int> owner = rt->spawn(NeverOwner(children));
        ASSERT_TRUE(run_until(*rt, [&] { return children.polled.load() == 4; }));
        rt.reset();
    }
    EXPECT_EQ(children.live.load(), 0);
}

namespace {

/// A child that destroys its own scope from inside its poll.
struct DestroysItsScope : FutureExt<DestroysItsScope> {
    using Output = int;
    std::optional<TaskScope<int>>* scope;
    Live* siblings;
    std::atomic<int>* siblings_left;  // live siblings right after the scope is gone
    Poll<int> poll(Context&) {
        scope->reset();
        siblings_left->store(siblings->live.load());
        return pending;  // cancelled by its runner once this poll returns
    }
};

}  // namespace

TEST_P(TaskScopeTest, AChildThatDestroysItsOwnScopeIsCancelledAfterItsPoll) {
    Runtime rt = make_runtime(GetParam());
    auto enter = rt.enter();
    Live siblings, self;
    std::atomic<int> siblings_left{-1};
    std::optional<TaskScope<int>> scope(std::in_place);
    for (int i = 0; i < 3; ++i) scope->spawn(tracked(Never<int>{}, siblings));
    scope->spawn(tracked(DestroysItsScope{{}, &scope, &siblings, &siblings_left}, self));
    // Not a deadlock: the scope does not wait for the child it is inside.
    ASSERT_TRUE(run_until(rt, [&] { return siblings_left.load() != -1 && self.live.load() == 0; }));
    EXPECT_EQ(siblings_left.load(), 0);  // its siblings were reaped before reset() returned
}

// ---- cancel_at_every_point: an owner that spawns and joins, cut at every point.

namespace {

struct JoinOwner : Async<JoinOwner, Result<std::vector<int>, JoinError>> {
    Live* counts;
    std::vector<int> out;
    TaskScope<int> scope;
    int i = 0;
    POLLEN_FRAME;
    explicit JoinOwner(Live& l) : counts(&l) {}
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (i = 0; i < 3; ++i) {
            scope.spawn(tracked(AfterPolls<int>(i + 1, i * 10), *counts));
            POLLEN_AWAIT(yield_now());  // a cut point between two spawns
        }
        POLLEN_LET_TRY(out, scope.join());
        POLLEN_RETURN(Ok(std::move(out)));
        POLLEN_END;
    }
};

using StrResult = Result<int, std::string>;

struct FailingOwner : Async<FailingOwner, Result<std::vector<int>, ScopeError<std::string>>> {
    Live* counts;
    std::vector<int> out;
    TaskScope<StrResult> scope;
    POLLEN_FRAME;
    explicit FailingOwner(Live& l) : counts(&l) {}
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        scope.spawn(tracked(Never<StrResult>{}, *counts));
        scope.spawn(tracked(AfterPolls<StrResult>(2, Err(std::string("bad"))), *counts));
        scope.spawn(tracked(AfterPolls<StrResult>(5, Ok(3)), *counts));
        POLLEN_AWAIT(yield_now());
        POLLEN_LET_TRY(out, scope.join());
        POLLEN_RETURN(Ok(std::move(out)));
        POLLEN_END;
    }
};

template <class Make, class OnOutput>
pollen::testing::CancelReport cancel_everywhere(Runtime& rt, bool multi_thread, Live& counts, Make make,
                                                OnOutput on_output) {
    return cancel_at_every_point(std::move(make))
        .step([&](const pollen::testing::Step& s) {
            if (multi_thread) EXPECT_TRUE(s.wait_for_wake());
            else EXPECT_TRUE(test::run_until(rt, [&] { return s.woken_since_poll(); }));
        })
        .on_output(std::move(on_output))
        .invariant("every child's future is destroyed", [&] { return counts.live.load() == 0; })
        .settle(multi_thread ? 2000ms : 0ms)  // a worker may still be inside its wake of the owner
        .run();
}

}  // namespace

TEST_P(TaskScopeTest, CancelAtEveryPointOfAnOwnerThatSpawnsAndJoins) {
    Runtime rt = make_runtime(GetParam());
    test::EnterRuntime enter(rt);
    Live counts;
    auto r = cancel_everywhere(rt, GetParam(), counts, [&] { return JoinOwner(counts); },
                               [](Result<std::vector<int>, JoinError>& v) {
                                   return v.is_ok() && v.value() == std::vector<int>{0, 10, 20};
                               });
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_GE(r.points, 4u);
}

TEST_P(TaskScopeTest, CancelAtEveryPointOfAnOwnerWhoseChildFails) {
    Runtime rt = make_runtime(GetParam());
    test::EnterRuntime enter(rt);
    Live counts;
    auto r = cancel_everywhere(rt, GetParam(), counts, [&] { return FailingOwner(counts); },
                               [](Result<std::vector<int>, ScopeError<std::string>>& v) {
                                   return v.is_err() && v.error().is_child_error() && v.error().child_error() == "bad";
                               });
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_GE(r.points, 2u);
}

INSTANTIATE_TEST_SUITE_P(Flavours, TaskScopeTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });
