// The task API (spawn, JoinHandle, abort, exceptions, shutdown, JoinSet,
// yield_now) on every runtime flavour: the multi-thread scheduler must pass
// every test the current-thread one does, and the simulation every one that
// involves no other thread (it refuses wakes from them: sim_runtime_test).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>

using namespace pollen;

namespace {

enum class Flavor { CurrentThread, MultiThread1, MultiThread4, Simulation };

Runtime make_runtime(Flavor f) {
    switch (f) {
        case Flavor::CurrentThread: return Builder::new_current_thread().build();
        case Flavor::MultiThread1: return Builder::new_multi_thread().worker_threads(1).build();
        case Flavor::MultiThread4: return Builder::new_multi_thread().worker_threads(4).build();
        case Flavor::Simulation: return Builder::new_simulation(1).build();
    }
    return Builder::new_current_thread().build();
}

/// Pending until `open()` is called from any thread; counts its destruction.
struct Gate {
    std::atomic<bool> open_flag{false};
    AtomicWaker waker;
    void open() {
        open_flag.store(true, std::memory_order_release);
        waker.wake();
    }
};

struct WaitGate : FutureExt<WaitGate> {
    using Output = int;
    std::shared_ptr<Gate> gate;
    int value;
    std::shared_ptr<std::atomic<int>> destroyed;
    WaitGate(std::shared_ptr<Gate> g, int v, std::shared_ptr<std::atomic<int>> d = nullptr)
        : gate(std::move(g)), value(v), destroyed(std::move(d)) {}
    WaitGate(WaitGate&& o) noexcept
        : gate(std::move(o.gate)), value(o.value), destroyed(std::move(o.destroyed)) {}
    ~WaitGate() {
        if (destroyed) destroyed->fetch_add(1);
    }
    Poll<int> poll(Context& cx) {
        if (gate->open_flag.load(std::memory_order_acquire)) return ready(value);
        gate->waker.register_waker(cx.waker());
        if (gate->open_flag.load(std::memory_order_acquire)) return ready(value);
        return pending;
    }
};

/// Ready with `value` at once.
struct Value : FutureExt<Value> {
    using Output = int;
    int value;
    explicit Value(int v) : value(v) {}
    Poll<int> poll(Context&) { return ready(value); }
};

/// Throws from poll.
struct Throws : FutureExt<Throws> {
    using Output = int;
    Poll<int> poll(Context&) { throw std::runtime_error("boom"); }
};

/// Runs fn on first poll, then awaits a JoinHandle-producing step: a tiny
/// "async block" written as a state machine.
template <class Fn>
struct Lazy : FutureExt<Lazy<Fn>> {
    using Output = std::invoke_result_t<Fn&>;
    Fn fn;
    explicit Lazy(Fn f) : fn(std::move(f)) {}
    Poll<Output> poll(Context&) {
        if constexpr (std::is_void_v<Output>) {
            fn();
            return ready();
        } else {
            return ready(fn());
        }
    }
};
template <class Fn>
Lazy<Fn> lazy_fn(Fn fn) { return Lazy<Fn>(std::move(fn)); }

/// Awaits every handle in order, summing their outputs.
struct JoinAllSum : FutureExt<JoinAllSum> {
    using Output = long;
    std::vector<JoinHandle<int>> handles;
    std::size_t next = 0;
    long sum = 0;
    Poll<long> poll(Context& cx) {
        while (next < handles.size()) {
            auto p = handles[next].poll(cx);
            if (p.is_pending()) return pending;
            sum += p.take().value();
            ++next;
        }
        return ready(sum);
    }
};

class RuntimeTask : public ::testing::TestWithParam<Flavor> {};

}  // namespace

TEST_P(RuntimeTask, BlockOnReturnsTheFuturesOutput) {
    Runtime rt = make_runtime(GetParam());
    EXPECT_EQ(rt.block_on(Value(42)), 42);
}

TEST_P(RuntimeTask, BlockOnWaitsForAWakeFromAnotherThread) {
    if (GetParam() == Flavor::Simulation) GTEST_SKIP() << "a simulation refuses wakes from other threads";
    Runtime rt = make_runtime(GetParam());
    auto gate = std::make_shared<Gate>();
    std::thread opener([gate] {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        gate->open();
    });
    EXPECT_EQ(rt.block_on(WaitGate(gate, 7)), 7);
    opener.join();
}

TEST_P(RuntimeTask, SpawnedTaskOutputArrivesThroughJoinHandle) {
    Runtime rt = make_runtime(GetParam());
    JoinHandle<int> h = rt.spawn(Value(5));
    auto r = rt.block_on(std::move(h));
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value(), 5);
}

TEST_P(RuntimeTask, ThousandsOfTasksSpawnedFromInsideATaskAllComplete) {
    Runtime rt = make_runtime(GetParam());
    // Spawn 5,000 tasks with the free function from inside block_on, then await them all.
    JoinAllSum all = rt.block_on(lazy_fn([] {
        JoinAllSum all;
        for (int i = 0; i < 5000; ++i) all.handles.push_back(spawn(Value(i)));
        return all;
    }));
    EXPECT_EQ(rt.block_on(std::move(all)), 4999L * 5000 / 2);
}

TEST_P(RuntimeTask, TasksSpawnedFromTasksRun) {
    Runtime rt = make_runtime(GetParam());
    auto count = std::make_shared<std::atomic<int>>(0);
    auto outer = rt.spawn(lazy_fn([count] {
        JoinAllSum all;
        for (int i = 0; i < 100; ++i)
            all.handles.push_back(spawn(lazy_fn([count] { return count->fetch_add(1) * 0 + 1; })));
        return spawn(std::move(all));
    }));
    auto inner = rt.block_on(std::move(outer)).value();
    EXPECT_EQ(rt.block_on(std::move(inner)).value(), 100);
    EXPECT_EQ(count->load(), 100);
}

TEST_P(RuntimeTask, AbortCancelsAnIdleTaskAndDestroysItsFuture) {
    Runtime rt = make_runtime(GetParam());
    auto gate = std::make_shared<Gate>();
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    auto h = rt.spawn(WaitGate(gate, 1, destroyed));
    rt.block_on(yield_now());  // let it be polled and go idle (on the current-thread flavour)
    h.abort();
    auto r = rt.block_on(std::move(h));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_cancelled());
    EXPECT_FALSE(r.error().is_panic());
    EXPECT_EQ(destroyed->load(), 1);
}

TEST_P(RuntimeTask, AbortAfterCompletionKeepsTheOutput) {
    Runtime rt = make_runtime(GetParam());
    auto h = rt.spawn(Value(3));
    while (!h.is_finished()) rt.block_on(yield_now());
    h.abort();
    auto r = rt.block_on(std::move(h));
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value(), 3);
}

TEST_P(RuntimeTask, ExceptionInATaskBecomesAPanicJoinErrorAndTheRuntimeSurvives) {
    Runtime rt = make_runtime(GetParam());
    auto r = rt.block_on(rt.spawn(Throws{}));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_NE(r.error().what().find("boom"), std::string::npos);
    EXPECT_THROW(r.error().rethrow(), std::runtime_error);
    EXPECT_EQ(rt.block_on(rt.spawn(Value(9))).value(), 9);
}

TEST_P(RuntimeTask, DestroyingTheRuntimeDestroysPendingTasks) {
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    auto gate = std::make_shared<Gate>();
    std::vector<JoinHandle<int>> handles;
    {
        Runtime rt = make_runtime(GetParam());
        for (int i = 0; i < 50; ++i) handles.push_back(rt.spawn(WaitGate(gate, i, destroyed)));
        rt.block_on(yield_now());
    }
    EXPECT_EQ(destroyed->load(), 50);
    for (auto& h : handles) {
        EXPECT_TRUE(h.is_finished());
        Context cx(noop_waker_ref());
        auto p = h.poll(cx);
        ASSERT_TRUE(p.is_ready());
        EXPECT_TRUE(p.take().error().is_cancelled());
    }
    gate->open();  // waking the dead tasks is harmless
}

TEST_P(RuntimeTask, SpawnAfterShutdownGivesACancelledTask) {
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    std::optional<Handle> handle;
    {
        Runtime rt = make_runtime(GetParam());
        handle = rt.handle();
    }
    auto h = handle->spawn(WaitGate(std::make_shared<Gate>(), 1, destroyed));
    EXPECT_TRUE(h.is_finished());
    EXPECT_EQ(destroyed->load(), 1);
}

TEST_P(RuntimeTask, WakesFromForeignThreadsCompleteTasks) {
    if (GetParam() == Flavor::Simulation) GTEST_SKIP() << "a simulation refuses wakes from other threads";
    Runtime rt = make_runtime(GetParam());
    constexpr int kTasks = 200;
    std::vector<std::shared_ptr<Gate>> gates;
    JoinAllSum all;
    for (int i = 0; i < kTasks; ++i) {
        gates.push_back(std::make_shared<Gate>());
        all.handles.push_back(rt.spawn(WaitGate(gates.back(), 1)));
    }
    std::thread opener([&] {
        for (auto& g : gates) g->open();
    });
    EXPECT_EQ(rt.block_on(std::move(all)), kTasks);
    opener.join();
}

TEST_P(RuntimeTask, DroppingTheJoinHandleDetachesTheTask) {
    Runtime rt = make_runtime(GetParam());
    auto ran = std::make_shared<std::atomic<bool>>(false);
    auto gate = std::make_shared<Gate>();
    rt.spawn(lazy_fn([ran] { ran->store(true); }));  // handle dropped at once
    auto done = rt.spawn(lazy_fn([] { return 0; }));
    (void)rt.block_on(std::move(done));
    while (!ran->load()) rt.block_on(yield_now());
    EXPECT_TRUE(ran->load());
}

TEST_P(RuntimeTask, OutputOfADetachedTaskIsDestroyedOnce) {
    struct Probe {
        std::shared_ptr<std::atomic<int>> live;
        explicit Probe(std::shared_ptr<std::atomic<int>> l) : live(std::move(l)) { live->fetch_add(1); }
        Probe(Probe&& o) noexcept : live(o.live) { live->fetch_add(1); }
        ~Probe() { live->fetch_sub(1); }
    };
    auto live = std::make_shared<std::atomic<int>>(0);
    {
        Runtime rt = make_runtime(GetParam());
        auto h1 = rt.spawn(lazy_fn([live] { return Probe(live); }));
        auto h2 = rt.spawn(lazy_fn([live] { return Probe(live); }));
        while (!h1.is_finished() || !h2.is_finished()) rt.block_on(yield_now());
        EXPECT_EQ(live->load(), 2);
        {
            auto taken = rt.block_on(std::move(h1));  // read: ours now
            EXPECT_EQ(live->load(), 2);
        }
        EXPECT_EQ(live->load(), 1);
        rt.spawn(lazy_fn([live] { return Probe(live); }));  // detached before it ran
    }
    EXPECT_EQ(live->load(), 0);
}

TEST_P(RuntimeTask, YieldNowIsPendingOnceThenReady) {
    Runtime rt = make_runtime(GetParam());
    struct CountPolls : FutureExt<CountPolls> {
        using Output = int;
        YieldNow y;
        int polls = 0;
        Poll<int> poll(Context& cx) {
            ++polls;
            if (y.poll(cx).is_pending()) return pending;
            return ready(polls);
        }
    };
    EXPECT_EQ(rt.block_on(CountPolls{}), 2);
}

TEST_P(RuntimeTask, BlockOnFromInsideATaskThrows) {
    Runtime rt = make_runtime(GetParam());
    Handle h = rt.handle();
    auto r = rt.block_on(rt.spawn(lazy_fn([h] {
        try {
            h.block_on(Value(1));
        } catch (const std::logic_error&) {
            return true;
        }
        return false;
    })));
    EXPECT_TRUE(r.value());
}

TEST_P(RuntimeTask, SpawnFromAForeignThreadThroughAHandle) {
    if (GetParam() == Flavor::Simulation) GTEST_SKIP() << "a simulation refuses wakes from other threads";
    Runtime rt = make_runtime(GetParam());
    Handle handle = rt.handle();
    std::optional<JoinHandle<int>> h;
    std::thread t([&] { h.emplace(handle.spawn(Value(11))); });
    t.join();
    EXPECT_EQ(rt.block_on(std::move(*h)).value(), 11);
}

TEST_P(RuntimeTask, JoinSetYieldsEveryResultThenNullopt) {
    Runtime rt = make_runtime(GetParam());
    long sum = rt.block_on(lazy_fn([] { return 0; }));
    JoinSet<int> set;
    for (int i = 1; i <= 100; ++i) set.spawn_on(Value(i), rt.handle());
    EXPECT_EQ(set.len(), 100u);
    while (auto r = rt.block_on(set.join_next())) sum += r->value();
    EXPECT_EQ(sum, 5050);
    EXPECT_TRUE(set.is_empty());
}

TEST_P(RuntimeTask, JoinSetAbortAllCancelsTasks) {
    Runtime rt = make_runtime(GetParam());
    auto gate = std::make_shared<Gate>();
    JoinSet<int> set;
    for (int i = 0; i < 10; ++i) set.spawn_on(WaitGate(gate, i), rt.handle());
    set.abort_all();
    int cancelled = 0;
    while (auto r = rt.block_on(set.join_next())) cancelled += r->is_err() && r->error().is_cancelled();
    EXPECT_EQ(cancelled, 10);
}

TEST_P(RuntimeTask, DroppingAJoinSetAbortsItsTasks) {
    Runtime rt = make_runtime(GetParam());
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    auto gate = std::make_shared<Gate>();
    {
        JoinSet<int> set;
        for (int i = 0; i < 10; ++i) set.spawn_on(WaitGate(gate, i, destroyed), rt.handle());
    }
    while (destroyed->load() < 10) rt.block_on(yield_now());
    EXPECT_EQ(destroyed->load(), 10);
}

TEST(RuntimeFree, SpawnOutsideARuntimeThrows) {
    EXPECT_THROW(spawn(Value(1)), std::logic_error);
    EXPECT_THROW(Handle::current(), std::logic_error);
    EXPECT_FALSE(Handle::in_runtime());
}

TEST(RuntimeFree, WakingAFinishedTaskThroughAKeptWakerIsHarmless) {
    Runtime rt = Builder::new_current_thread().build();
    auto kept = std::make_shared<std::optional<Waker>>();
    auto h = rt.spawn(poll_fn([kept](Context& cx) -> Poll<int> {
        kept->emplace(cx.waker());
        return ready(1);
    }));
    EXPECT_EQ(rt.block_on(std::move(h)).value(), 1);
    kept->value().wake_by_ref();
    Waker copy = kept->value();
    std::move(copy).wake();
    kept->reset();  // last reference: frees the task
}

INSTANTIATE_TEST_SUITE_P(Flavors, RuntimeTask,
                         ::testing::Values(Flavor::CurrentThread, Flavor::MultiThread1,
                                           Flavor::MultiThread4, Flavor::Simulation),
                         [](const auto& info) {
                             switch (info.param) {
                                 case Flavor::CurrentThread: return std::string("CurrentThread");
                                 case Flavor::MultiThread1: return std::string("MultiThread1");
                                 case Flavor::MultiThread4: return std::string("MultiThread4");
                                 case Flavor::Simulation: return std::string("Simulation");
                             }
                             return std::string("?");
                         });
