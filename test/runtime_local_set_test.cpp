// LocalSet and spawn_local (Tokio's task::LocalSet): tasks that are not
// thread-safe stay on the thread driving the set; they run only while the set
// is driven (run_until, block_on, awaiting the set), wakes from any thread
// reach them, and destroying the set cancels them. Both flavours.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <pollen.hpp>
#include <pollen/runtime/local_set.hpp>

#include "support/forever_future.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace {

Runtime make_runtime(bool multi_thread) {
    if (multi_thread) return Builder::new_multi_thread().worker_threads(2).enable_all().build();
    return Builder::new_current_thread().enable_all().build();
}

class LocalSets : public ::testing::TestWithParam<bool> {};

using pollen::test::Forever;

/// Pending (self-woken) `yields` times, recording the thread of every poll,
/// then Ready with `value`.
struct Recorder : FutureExt<Recorder> {
    using Output = int;
    int yields;
    int value;
    std::vector<std::thread::id>* threads;
    Poll<int> poll(Context& cx) {
        threads->push_back(std::this_thread::get_id());
        if (yields-- > 0) {
            cx.waker().wake_by_ref();
            return pending;
        }
        return ready(value);
    }
};

/// An Rc: a refcount and a payload with no atomics and no lock. Every copy,
/// destruction and access checks that it happens on the thread that made it;
/// `foreign` counts those that did not (and TSan would see the race).
class Rc {
    struct Box {
        int refs = 1;
        long value = 0;
        std::thread::id home = std::this_thread::get_id();
        std::atomic<int> foreign{0};
    };

public:
    Rc() : b_(new Box) {}
    Rc(const Rc& o) : b_(o.b_) {
        check();
        ++b_->refs;
    }
    Rc& operator=(const Rc&) = delete;
    ~Rc() {
        check();
        if (--b_->refs == 0) delete b_;
    }
    long& value() {
        check();
        return b_->value;
    }
    int refs() const { return b_->refs; }
    int foreign() const { return b_->foreign.load(); }

private:
    void check() const {
        if (std::this_thread::get_id() != b_->home) b_->foreign.fetch_add(1);
    }
    Box* b_;
};

}  // namespace

TEST_P(LocalSets, LocalTasksRunOnTheThreadDrivingTheSet) {
    Runtime rt = make_runtime(GetParam());
    LocalSet local;
    std::vector<std::thread::id> threads;
    std::vector<JoinHandle<int>> handles;
    int sum = local.block_on(rt, future::lazy([&] {
        for (int i = 0; i < 10; ++i) handles.push_back(spawn_local(Recorder{{}, i % 4, i, &threads}));
        return 0;
    }));
    EXPECT_EQ(sum, 0);
    for (auto& h : handles) sum += local.block_on(rt, std::move(h)).value();
    EXPECT_EQ(sum, 45);
    EXPECT_EQ(threads.size(), 10u + (0 + 1 + 2 + 3) * 2 + 0 + 1);  // polls: 1 + yields each
    for (auto id : threads) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST_P(LocalSets, SpawnLocalFromALocalTask) {
    Runtime rt = make_runtime(GetParam());
    LocalSet local;
    std::vector<std::thread::id> threads;
    auto outer = local.spawn_local(future::lazy([&] { return spawn_local(Recorder{{}, 3, 7, &threads}); })
                                       .then([](JoinHandle<int> inner) { return inner; }));
    auto r = local.block_on(rt, std::move(outer));
    ASSERT_TRUE(r.is_ok());
    ASSERT_TRUE(r->is_ok());
    EXPECT_EQ(**r, 7);
    ASSERT_EQ(threads.size(), 4u);
    for (auto id : threads) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST_P(LocalSets, RunUntilReturnsWhenItsFutureIsDoneAndTheRestWaitForTheNextDrive) {
    Runtime rt = make_runtime(GetParam());
    LocalSet local;
    auto [tx, rx] = oneshot::channel<int>();
    std::optional<JoinHandle<Result<int, oneshot::RecvError>>> waiting;
    int out = local.block_on(rt, future::lazy([&] {
        waiting.emplace(spawn_local(std::move(rx)));
        return 5;
    }));
    EXPECT_EQ(out, 5);
    EXPECT_FALSE(waiting->is_finished());
    ASSERT_TRUE(std::move(tx).send(9).is_ok());  // queued; runs at the next drive only
    auto r = local.block_on(rt, std::move(*waiting));
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->value(), 9);
}

TEST_P(LocalSets, AwaitingTheSetWaitsForEveryTaskIncludingTheirChildren) {
    Runtime rt = make_runtime(GetParam());
    LocalSet local;
    int done = 0;
    std::vector<std::thread::id> threads;
    for (int i = 0; i < 5; ++i)
        (void)local.spawn_local(Recorder{{}, i, i, &threads}.then([&](int n) {
            ++done;
            (void)spawn_local(Recorder{{}, n, n, &threads}.map([&](int) { ++done; }));
            return future::ready(Unit{});
        }));
    rt.block_on(std::move(local));
    EXPECT_EQ(done, 10);
    for (auto id : threads) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST_P(LocalSets, DestroyingTheSetCancelsItsTasks) {
    Runtime rt = make_runtime(GetParam());
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    std::vector<JoinHandle<int>> handles;
    {
        LocalSet local;
        handles.push_back(local.spawn_local(Forever(destroyed)));
        local.block_on(rt, future::lazy([&] { handles.push_back(spawn_local(Forever(destroyed))); }));
        handles.push_back(local.spawn_local(Forever(destroyed)));  // never polled
        EXPECT_EQ(destroyed->load(), 0);
        for (auto& h : handles) EXPECT_FALSE(h.is_finished());
    }
    EXPECT_EQ(destroyed->load(), 3);
    for (auto& h : handles) {
        EXPECT_TRUE(h.is_finished());
        auto r = rt.block_on(std::move(h));
        ASSERT_TRUE(r.is_err());
        EXPECT_TRUE(r.error().is_cancelled());
    }
}

namespace {
/// Spawns a local task from its destructor, as a future being cancelled may.
struct SpawnsWhenDestroyed : FutureExt<SpawnsWhenDestroyed> {
    using Output = void;
    std::optional<JoinHandle<int>>* out;
    bool armed = true;
    SpawnsWhenDestroyed(std::optional<JoinHandle<int>>* o) : out(o) {}
    SpawnsWhenDestroyed(SpawnsWhenDestroyed&& o) noexcept : out(o.out) { o.armed = false; }
    ~SpawnsWhenDestroyed() {
        if (armed) out->emplace(spawn_local(future::ready(1)));
    }
    Poll<void> poll(Context&) { return pending; }  // never woken: cancelled by the set's destruction
};
}  // namespace

TEST_P(LocalSets, ASpawnLocalWhileTheSetIsDestroyedGivesACancelledTask) {
    Runtime rt = make_runtime(GetParam());
    std::optional<JoinHandle<int>> late;
    std::optional<JoinHandle<void>> h;
    {
        LocalSet local;
        h.emplace(local.spawn_local(SpawnsWhenDestroyed(&late)));
        local.block_on(rt, yield_now());
    }
    ASSERT_TRUE(late.has_value());
    EXPECT_TRUE(rt.block_on(std::move(*late)).error().is_cancelled());
    EXPECT_TRUE(rt.block_on(std::move(*h)).error().is_cancelled());
}

TEST_P(LocalSets, SpawnLocalOutsideALocalSetIsAnError) {
    Runtime rt = make_runtime(GetParam());
    EXPECT_THROW((void)spawn_local(future::ready(1)), std::logic_error);  // outside any runtime
    EXPECT_THROW(rt.block_on(future::lazy([] { (void)spawn_local(future::ready(1)); })), std::logic_error);
    // In an ordinary task: the task reports the exception as its panic.
    auto r = rt.block_on(rt.spawn(future::lazy([] { (void)spawn_local(future::ready(1)); })));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    // Once a drive is over, this thread is outside the set again.
    LocalSet local;
    EXPECT_EQ(local.block_on(rt, future::lazy([] { return spawn_local(future::ready(2)); })).is_finished(),
              false);
    EXPECT_THROW((void)spawn_local(future::ready(1)), std::logic_error);
}

TEST_P(LocalSets, ALocalTaskThatThrowsReportsAPanicAndTheSetGoesOn) {
    Runtime rt = make_runtime(GetParam());
    LocalSet local;
    auto bad = local.spawn_local(future::lazy([]() -> int { throw std::runtime_error("boom"); }));
    auto good = local.spawn_local(future::ready(3));
    rt.block_on(std::move(local));
    auto r = rt.block_on(std::move(bad));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_EQ(rt.block_on(std::move(good)).value(), 3);
}

TEST_P(LocalSets, EachPollOfALocalTaskGetsATasksBudget) {
    Runtime rt = make_runtime(GetParam());
    LocalSet local;
    std::vector<int> proceeded;
    auto h = local.spawn_local(future::poll_fn([&](Context& cx) -> Poll<void> {
        int n = 0;
        while (coop::poll_proceed(cx)) ++n;  // the budget runs out, and wakes the task
        proceeded.push_back(n);
        if (proceeded.size() < 2) return pending;
        return ready();
    }));
    EXPECT_TRUE(local.block_on(rt, std::move(h)).is_ok());
    EXPECT_EQ(proceeded, (std::vector<int>{coop::kTaskBudget, coop::kTaskBudget}));
}

TEST_P(LocalSets, PollingTheSetOnAnotherThreadIsAnError) {
    Runtime rt = make_runtime(GetParam());
    LocalSet local;
    EXPECT_EQ(local.block_on(rt, future::ready(1)), 1);  // this thread now owns it
    bool threw = false;
    std::string what;
    std::thread other([&] {
        Runtime mine = Builder::new_current_thread().build();
        auto ran = std::make_shared<std::atomic<int>>(0);
        (void)local.spawn_local(future::lazy([ran] { ran->fetch_add(1); }));  // allowed from any thread
        try {
            local.block_on(mine, future::ready(2));
        } catch (const std::logic_error& e) {
            threw = true;
            what = e.what();
        }
        EXPECT_EQ(ran->load(), 0);  // nothing ran over there
    });
    other.join();
    EXPECT_TRUE(threw);
    EXPECT_NE(what.find("a thread other than the one that first drove it"), std::string::npos) << what;
    EXPECT_NE(what.find("LocalSet"), std::string::npos) << what;
    rt.block_on(std::move(local));  // still fine on its own thread
}

TEST(LocalSet, DrivingItOutsideARuntimeIsAnError) {
    LocalSet local;
    auto fut = local.run_until(future::ready(1));
    Context cx(noop_waker_ref());
    EXPECT_THROW((void)fut.poll(cx), std::logic_error);
    Runtime rt = make_runtime(false);
    EXPECT_EQ(local.block_on(rt, future::ready(4)), 4);  // the failed drive claimed no thread
}

TEST(LocalSet, ItIsAFutureACurrentThreadRuntimeMayRunAsATask) {
    Runtime rt = make_runtime(false);
    LocalSet local;
    int done = 0;
    std::vector<std::thread::id> threads;
    for (int i = 0; i < 3; ++i) (void)local.spawn_local(Recorder{{}, i, i, &threads}.map([&](int) { ++done; }));
    auto h = rt.spawn(std::move(local));
    EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
    EXPECT_EQ(done, 3);
}

TEST(LocalSet, LocalTasksUseTheRuntimesTimers) {
    Runtime rt = Builder::new_current_thread().enable_all().start_paused(true).build();
    LocalSet local;
    auto start = rt.block_on(future::lazy([] { return time::Instant::now(); }));
    auto h = local.spawn_local(time::sleep(10s).map([] { return time::Instant::now(); }));
    auto woke = local.block_on(rt, std::move(h));
    ASSERT_TRUE(woke.is_ok());
    EXPECT_GE(*woke - start, time::Duration(10s));
}

TEST(LocalSetMultiThread, AWakeFromAWorkerReachesALocalTask) {
    Runtime rt = make_runtime(true);
    LocalSet local;
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    std::vector<std::thread::id> threads;
    long sum = 0;
    // A runtime task sends from the workers, yielding between sends.
    auto producer = rt.spawn(future::poll_fn([tx = tx, i = 1](Context& cx) mutable -> Poll<std::thread::id> {
        if (i > 100) return ready(std::this_thread::get_id());
        (void)tx.send(i++);
        cx.waker().wake_by_ref();
        return pending;
    }));
    tx = {};
    auto consumer = local.spawn_local(future::poll_fn([&, rx = std::move(rx)](Context& cx) mutable -> Poll<void> {
        for (;;) {
            threads.push_back(std::this_thread::get_id());
            auto p = rx.poll_recv(cx);
            if (p.is_pending()) return pending;
            auto v = p.take();
            if (!v) return ready();
            sum += *v;
        }
    }));
    EXPECT_TRUE(local.block_on(rt, std::move(consumer)).is_ok());
    EXPECT_EQ(sum, 5050);
    auto producer_thread = rt.block_on(std::move(producer)).value();
    EXPECT_NE(producer_thread, std::this_thread::get_id());
    for (auto id : threads) EXPECT_EQ(id, std::this_thread::get_id());
}

namespace {
/// A local task that waits `rounds` times for a runtime task (on a worker)
/// to wake it, adding one to the shared Rc each time.
struct Worker : FutureExt<Worker> {
    using Output = void;
    Rc rc;
    int rounds;
    std::optional<oneshot::Receiver<Unit>> rx;
    Poll<void> poll(Context& cx) {
        for (;;) {
            if (!rx) {
                auto [tx, r] = oneshot::channel<Unit>();
                rx.emplace(std::move(r));
                (void)pollen::spawn(yield_now().map([tx = std::move(tx)]() mutable { (void)std::move(tx).send(Unit{}); }));
            }
            if (rx->poll(cx).is_pending()) return pending;
            rx.reset();
            ++rc.value();
            if (--rounds == 0) return ready();
        }
    }
};
}  // namespace

TEST(LocalSetMultiThread, ManyLocalTasksShareAnRcWokenFromWorkers) {
    Runtime rt = Builder::new_multi_thread().worker_threads(3).enable_all().build();
    constexpr int kTasks = 50, kRounds = 6;
    Rc counter;
    {
        LocalSet local;
        for (int i = 0; i < kTasks; ++i) (void)local.spawn_local(Worker{{}, counter, kRounds, {}});
        EXPECT_EQ(counter.refs(), kTasks + 1);
        rt.block_on(std::move(local));
    }
    EXPECT_EQ(counter.value(), long(kTasks) * kRounds);
    EXPECT_EQ(counter.refs(), 1);  // every task's copy was dropped, here
    EXPECT_EQ(counter.foreign(), 0);
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, LocalSets, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });
