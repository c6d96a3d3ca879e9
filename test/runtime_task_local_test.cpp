// Task-local values (Tokio's task_local! / LocalKey): a scope's value is
// visible in every poll of its future and nowhere else, nested scopes shadow,
// reading outside a scope is an error, and destroying a scope destroys its
// future with the value still visible. Both flavours where tasks move.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>
#include <pollen/runtime/task_local.hpp>

using namespace pollen;
using pollen::testing::cancel_at_every_point;

namespace {

TaskLocal<int> NUMBER;
TaskLocal<std::string> NAME;

Runtime make_runtime(bool multi_thread) {
    if (multi_thread) return Builder::new_multi_thread().worker_threads(2).build();
    return Builder::new_current_thread().build();
}

class TaskLocals : public ::testing::TestWithParam<bool> {};

/// Reads NUMBER in each of its polls (-1: unset), Pending (self-woken)
/// `yields` times, then Ready with what it saw.
struct Reader : FutureExt<Reader> {
    using Output = std::vector<int>;
    int yields;
    std::vector<int> seen;
    explicit Reader(int y) : yields(y) {}
    Poll<Output> poll(Context& cx) {
        seen.push_back(NUMBER.try_with([](int v) { return v; }).value_or(-1));
        if (yields-- > 0) {
            cx.waker().wake_by_ref();
            return pending;
        }
        return ready(std::move(seen));
    }
};

}  // namespace

TEST_P(TaskLocals, TheValueIsVisibleInEveryPollAcrossAwaits) {
    Runtime rt = make_runtime(GetParam());
    // As a task (on the multi-thread flavour, its polls may run on several workers).
    auto r = rt.block_on(rt.spawn(NUMBER.scope(7, Reader(5))));
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r, std::vector<int>(6, 7));
    // As block_on's own future.
    EXPECT_EQ(rt.block_on(NUMBER.scope(8, Reader(2))), std::vector<int>(3, 8));
    EXPECT_FALSE(NUMBER.is_set());  // and not after it
}

TEST_P(TaskLocals, TasksInterleavedOnOneThreadNeverSeeEachOthersValue) {
    Runtime rt = make_runtime(GetParam());
    std::vector<JoinHandle<std::vector<int>>> handles;
    for (int i = 0; i < 8; ++i) handles.push_back(rt.spawn(NUMBER.scope(i, Reader(20))));
    auto unscoped = rt.spawn(Reader(20));
    for (int i = 0; i < 8; ++i) EXPECT_EQ(rt.block_on(std::move(handles[i])).value(), std::vector<int>(21, i));
    EXPECT_EQ(rt.block_on(std::move(unscoped)).value(), std::vector<int>(21, -1));
}

TEST(TaskLocal, NestedScopesShadowAndRestore) {
    Runtime rt = make_runtime(false);
    std::vector<int> seen;
    auto record = [&] { seen.push_back(NUMBER.try_with([](int v) { return v; }).value_or(-1)); };
    rt.block_on(NUMBER.scope(1, future::lazy([&] { record(); })
                                    .then([&] {
                                        return NUMBER.scope(2, future::lazy([&] { record(); })
                                                                   .then([] { return yield_now(); })
                                                                   .map([&] { record(); }));
                                    })
                                    .map([&] { record(); })));
    EXPECT_EQ(seen, (std::vector<int>{1, 2, 2, 1}));
    EXPECT_FALSE(NUMBER.is_set());
}

TEST(TaskLocal, KeysAreIndependent) {
    auto both = [] { return NAME.get() + std::to_string(NUMBER.get()); };
    std::string s = NAME.sync_scope("n", [&] { return NUMBER.sync_scope(4, both); });
    EXPECT_EQ(s, "n4");
    EXPECT_TRUE(NAME.sync_scope("x", [] { return !NUMBER.is_set(); }));
}

TEST(TaskLocal, ReadingOutsideAScopeIsAnError) {
    EXPECT_FALSE(NUMBER.is_set());
    EXPECT_THROW((void)NUMBER.get(), AccessError);
    EXPECT_THROW(NUMBER.with([](int) {}), std::logic_error);  // AccessError is a logic_error
    auto r = NUMBER.try_with([](int v) { return v; });
    EXPECT_TRUE(r.is_err());
    auto rv = NUMBER.try_with([](int) {});
    EXPECT_TRUE(rv.is_err());
    // Inside a future that is not in a scope, on a runtime.
    Runtime rt = make_runtime(false);
    auto h = rt.spawn(future::lazy([] { return NUMBER.get(); }));
    auto out = rt.block_on(std::move(h));
    ASSERT_TRUE(out.is_err());
    EXPECT_TRUE(out.error().is_panic());
}

TEST(TaskLocal, SyncScopeSetsTheValueForOneCall) {
    EXPECT_EQ(NUMBER.sync_scope(3, [] { return NUMBER.get() * 2; }), 6);
    EXPECT_EQ(NUMBER.sync_scope(3, [] { return NUMBER.sync_scope(4, [] { return NUMBER.get(); }) + NUMBER.get(); }),
              7);
    EXPECT_FALSE(NUMBER.is_set());
}

namespace {
struct Log {
    std::vector<std::string> events;
};

/// A value that logs its destruction and whether the key was set then.
struct Probe {
    Log* log;
    int id;
    Probe(Log* l, int i) : log(l), id(i) {}
    Probe(Probe&& o) noexcept : log(std::exchange(o.log, nullptr)), id(o.id) {}
    Probe& operator=(Probe&&) = delete;
    ~Probe() {
        if (log) log->events.push_back("value " + std::to_string(id) + " destroyed" + (key_set() ? " visible" : ""));
    }
    static bool key_set();
};

TaskLocal<Probe> PROBE;
bool Probe::key_set() { return PROBE.is_set(); }

/// Pending forever (self-woken); its destructor logs which PROBE value it saw.
struct Watcher : FutureExt<Watcher> {
    using Output = void;
    Log* log;
    int polls_left;
    Watcher(Log* l, int n) : log(l), polls_left(n) {}
    Watcher(Watcher&& o) noexcept : log(std::exchange(o.log, nullptr)), polls_left(o.polls_left) {}
    ~Watcher() {
        if (!log) return;
        auto seen = PROBE.try_with([](const Probe& p) { return p.id; });
        log->events.push_back("future destroyed seeing " + (seen.is_ok() ? std::to_string(*seen) : "nothing"));
    }
    Poll<void> poll(Context& cx) {
        if (polls_left-- <= 0) return ready();
        cx.waker().wake_by_ref();
        return pending;
    }
};
}  // namespace

TEST(TaskLocal, DestroyingTheScopeDestroysItsFutureWithTheValueVisible) {
    Log log;
    {
        auto scope = PROBE.scope(Probe(&log, 1), Watcher(&log, 100));
        Context cx(noop_waker_ref());
        EXPECT_TRUE(scope.poll(cx).is_pending());
        EXPECT_FALSE(PROBE.is_set());
        EXPECT_TRUE(log.events.empty());
    }
    EXPECT_EQ(log.events, (std::vector<std::string>{"future destroyed seeing 1", "value 1 destroyed"}));
    EXPECT_FALSE(PROBE.is_set());
}

TEST(TaskLocal, ACompletingScopeDestroysItsFutureInTheSamePollWithTheValueVisible) {
    Log log;
    {
        auto scope = PROBE.scope(Probe(&log, 2), Watcher(&log, 1));
        Context cx(noop_waker_ref());
        EXPECT_TRUE(scope.poll(cx).is_pending());
        EXPECT_TRUE(scope.poll(cx).is_ready());
        EXPECT_EQ(log.events, (std::vector<std::string>{"future destroyed seeing 2"}));
    }
    EXPECT_EQ(log.events, (std::vector<std::string>{"future destroyed seeing 2", "value 2 destroyed"}));
}

TEST(TaskLocal, ANestedScopeDestroyedMidWayLeavesTheOuterValueVisible) {
    std::vector<int> after;
    NUMBER.sync_scope(10, [&] {
        {
            auto inner = NUMBER.scope(11, Reader(3));
            Context cx(noop_waker_ref());
            EXPECT_TRUE(inner.poll(cx).is_pending());
        }
        after.push_back(NUMBER.get());
    });
    EXPECT_EQ(after, std::vector<int>{10});
}

TEST(TaskLocal, AThrowingPollRestoresThePreviousValue) {
    auto scope = NUMBER.scope(1, future::poll_fn([](Context&) -> Poll<int> { throw std::runtime_error("x"); }));
    Context cx(noop_waker_ref());
    NUMBER.sync_scope(5, [&] {
        EXPECT_THROW((void)scope.poll(cx), std::runtime_error);
        EXPECT_EQ(NUMBER.get(), 5);
    });
    EXPECT_FALSE(NUMBER.is_set());
}

TEST(TaskLocal, TakeValueGivesTheValueBackAndLeavesTheKeyUnsetInside) {
    auto scope = NUMBER.scope(9, Reader(0));
    EXPECT_EQ(scope.take_value(), std::optional<int>(9));
    EXPECT_EQ(scope.take_value(), std::nullopt);
    Context cx(noop_waker_ref());
    auto p = scope.poll(cx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), std::vector<int>{-1});
}

TEST(TaskLocal, ScopeUnderCancellationAtEveryPoint) {
    Log log;
    std::size_t instances = 0;
    auto r = cancel_at_every_point([&] { return PROBE.scope(Probe(&log, int(instances)), Watcher(&log, 3)); })
                 .setup([&] { log.events.clear(); })
                 .teardown([&] { ++instances; })
                 .invariant("the future was destroyed seeing its value, then the value, unseen",
                            [&] {
                                std::string id = std::to_string(instances);
                                return log.events == std::vector<std::string>{"future destroyed seeing " + id,
                                                                              "value " + id + " destroyed"};
                            })
                 .invariant("the key is unset afterwards", [] { return !PROBE.is_set(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 4u);  // never polled, and after each of the 3 Pending polls
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, TaskLocals, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });
