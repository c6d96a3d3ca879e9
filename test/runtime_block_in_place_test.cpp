// block_in_place (Tokio's task::block_in_place): on a multi-thread worker the
// worker's other work moves to a new thread while the closure blocks here;
// where there is no worker it just runs; the current-thread runtime refuses.
#include <gtest/gtest.h>

#include <dirent.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <pollen.hpp>
#include <pollen/runtime/block_in_place.hpp>

using namespace pollen;
using namespace std::chrono_literals;

namespace {

/// A one-shot latch for plain threads, with a bound so a bug fails instead of hanging.
struct Latch {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    void set() {
        std::lock_guard lock(mu);
        open = true;
        cv.notify_all();
    }
    bool wait() {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, 10s, [&] { return open; });
    }
};

std::size_t thread_count() {
    std::size_t n = 0;
    if (DIR* d = opendir("/proc/self/task")) {
        while (dirent* e = readdir(d))
            if (e->d_name[0] != '.') ++n;
        closedir(d);
    }
    return n;
}

}  // namespace

TEST(BlockInPlace, OtherTasksRunWhileTheOnlyWorkerBlocksInPlace) {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    auto latch = std::make_shared<Latch>();
    auto blocker = rt.spawn(future::lazy([latch] {
        // Only another task can open the latch: it must run meanwhile.
        return block_in_place([&] { return latch->wait(); });
    }));
    auto opener = rt.spawn(future::lazy([latch] { latch->set(); }));
    EXPECT_TRUE(rt.block_on(std::move(blocker)).value());
    EXPECT_TRUE(rt.block_on(std::move(opener)).is_ok());
}

TEST(BlockInPlace, TheTaskGoesOnAfterwardsAndCanSpawnAndAwait) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    struct Body : FutureExt<Body> {
        using Output = int;
        std::optional<JoinHandle<int>> child;
        Poll<int> poll(Context& cx) {
            if (!child) {
                int v = block_in_place([] { return 20; });
                child.emplace(spawn(future::ready(v + 1)));
            }
            auto p = child->poll(cx);
            if (p.is_pending()) return pending;
            return ready(p.take().value() * 2);
        }
    };
    EXPECT_EQ(rt.block_on(rt.spawn(Body{})).value(), 42);
    // The worker lives on in its new thread.
    EXPECT_EQ(rt.block_on(rt.spawn(future::ready(1))).value(), 1);
    EXPECT_EQ(rt.metrics().workers, 2u);
}

TEST(BlockInPlace, BlockOnIsAllowedInsideTheClosure) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto r = rt.block_on(rt.spawn(future::lazy([] {
        return block_in_place([] { return Handle::current().block_on(future::ready(5)); });
    })));
    EXPECT_EQ(r.value(), 5);
}

TEST(BlockInPlace, BlockOnIsRefusedAgainInTheTaskAfterTheClosure) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto r = rt.block_on(rt.spawn(future::lazy([] {
        block_in_place([] {});
        Handle::current().block_on(future::ready(5));  // throws: a task must not block
        return 0;
    })));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
}

TEST(BlockInPlace, NestedCallsJustRun) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto r = rt.block_on(rt.spawn(future::lazy([] {
        int a = block_in_place([] { return block_in_place([] { return 3; }); });
        int b = block_in_place([] { return 4; });  // no worker left to hand off: runs as is
        return a + b;
    })));
    EXPECT_EQ(r.value(), 7);
}

TEST(BlockInPlace, InsideAMultiThreadBlockOnItJustRuns) {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    EXPECT_EQ(rt.block_on(future::lazy([] { return block_in_place([] { return 9; }); })), 9);
}

TEST(BlockInPlace, AnExceptionFromTheClosureReachesTheTaskAndTheRuntimeGoesOn) {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    auto r = rt.block_on(rt.spawn(future::lazy([]() -> int {
        return block_in_place([]() -> int { throw std::runtime_error("in place"); });
    })));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_NE(r.error().what().find("in place"), std::string::npos);
    EXPECT_EQ(rt.block_on(rt.spawn(future::ready(2))).value(), 2);
}

TEST(BlockInPlace, RepeatedHandOffsDoNotPileUpThreadsAndShutdownJoinsThemAll) {
    std::size_t before = thread_count();
    auto starts = std::make_shared<std::atomic<int>>(0);
    auto stops = std::make_shared<std::atomic<int>>(0);
    {
        Runtime rt = Builder::new_multi_thread()
                         .worker_threads(2)
                         .on_thread_start([starts] { starts->fetch_add(1); })
                         .on_thread_stop([stops] { stops->fetch_add(1); })
                         .build();
        for (int i = 0; i < 100; ++i) {
            auto r = rt.block_on(rt.spawn(future::lazy([] { return block_in_place([] { return 1; }); })));
            ASSERT_EQ(r.value(), 1);
        }
        // Retired threads leave on their own: the count comes back near the
        // two workers (plus the blocking pool), not 100 more.
        auto give_up = std::chrono::steady_clock::now() + 10s;
        while (thread_count() > before + 6 && std::chrono::steady_clock::now() < give_up)
            std::this_thread::sleep_for(1ms);
        EXPECT_LE(thread_count(), before + 6);
    }
    // Every thread that started as a worker stopped: 2 + one per hand-off.
    EXPECT_EQ(starts->load(), 102);
    EXPECT_EQ(stops->load(), 102);
}

TEST(BlockInPlace, DestroyingTheRuntimeWaitsForAClosureStillBlockingInPlace) {
    auto entered = std::make_shared<Latch>();
    auto release = std::make_shared<Latch>();
    auto finished = std::make_shared<std::atomic<bool>>(false);
    std::thread opener;
    {
        Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
        rt.spawn(future::lazy([=] {
            block_in_place([&] {
                entered->set();
                release->wait();
            });
            spawn(future::ready(0));  // the rest of the poll still finds its runtime
            finished->store(true);
        }));
        ASSERT_TRUE(entered->wait());
        opener = std::thread([release] { release->set(); });
    }  // shutdown: joins the thread that blocks in place, after its poll
    EXPECT_TRUE(finished->load());
    opener.join();
}

TEST(BlockInPlace, OnTheCurrentThreadRuntimeATaskIsRefused) {
    Runtime rt = Builder::new_current_thread().build();
    auto ran = std::make_shared<std::atomic<bool>>(false);
    auto r = rt.block_on(rt.spawn(future::lazy([ran] {
        block_in_place([ran] { ran->store(true); });
        return 0;
    })));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_NE(r.error().what().find("multi-threaded runtime"), std::string::npos) << r.error().what();
    EXPECT_FALSE(ran->load());
}

TEST(BlockInPlace, OnTheCurrentThreadRuntimeItsBlockOnIsRefused) {
    Runtime rt = Builder::new_current_thread().build();
    EXPECT_THROW(rt.block_on(future::lazy([] { return block_in_place([] { return 1; }); })), std::logic_error);
}

TEST(BlockInPlace, OutsideAnyRuntimeItJustRuns) { EXPECT_EQ(block_in_place([] { return 11; }), 11); }

TEST(BlockInPlace, OnABlockingPoolThreadItJustRunsOnEitherFlavour) {
    for (bool multi : {false, true}) {
        Runtime rt = multi ? Builder::new_multi_thread().worker_threads(1).build()
                           : Builder::new_current_thread().build();
        auto r = rt.block_on(rt.spawn_blocking([] { return block_in_place([] { return 12; }); }));
        EXPECT_EQ(r.value(), 12);
    }
}

TEST(BlockInPlace, UnderAnEnterGuardOutsideATaskItJustRuns) {
    Runtime rt = Builder::new_current_thread().build();
    auto guard = rt.enter();
    EXPECT_EQ(block_in_place([] { return 13; }), 13);
}
