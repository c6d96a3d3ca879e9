// The Builder's and Handle's Tokio-named options and queries: thread hooks
// (start/stop on blocking threads too, park/unpark), refused zero counts,
// shutdown_background, Handle::try_current and runtime_flavor.
#include <gtest/gtest.h>

#include <pollen.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

using namespace pollen;
using namespace std::chrono_literals;

TEST(Builder, ZeroWorkerThreadsOrBlockingThreadsIsRefusedAsTokioPanics) {
    EXPECT_THROW(Builder::new_multi_thread().worker_threads(0), std::invalid_argument);
    EXPECT_THROW(Builder::new_multi_thread().max_blocking_threads(0), std::invalid_argument);
    EXPECT_NO_THROW(Builder::new_multi_thread().worker_threads(1).max_blocking_threads(1).enable_io().enable_time());
}

TEST(Builder, OnThreadStartAndStopAlsoRunOnBlockingThreads) {
    std::atomic<int> started{0}, stopped{0};
    {
        Runtime rt = Builder::new_multi_thread()
                         .worker_threads(1)
                         .on_thread_start([&] { started++; })
                         .on_thread_stop([&] { stopped++; })
                         .build();
        auto h = rt.spawn_blocking([] { return 7; });
        EXPECT_EQ(rt.block_on(std::move(h)).value(), 7);
    }
    // One worker and one blocking thread; the destructor waited for both.
    EXPECT_EQ(started.load(), 2);
    EXPECT_EQ(stopped.load(), 2);
}

TEST(Builder, OnThreadParkAndUnparkBracketEveryParkOfAWorker) {
    auto parks = std::make_shared<std::atomic<int>>(0);
    auto unparks = std::make_shared<std::atomic<int>>(0);
    {
        Runtime rt = Builder::new_multi_thread()
                         .worker_threads(1)
                         .on_thread_park([parks, unparks] {
                             // Each park follows the previous unpark.
                             EXPECT_EQ(parks->load(), unparks->load());
                             (*parks)++;
                         })
                         .on_thread_unpark([parks, unparks] {
                             (*unparks)++;
                             EXPECT_EQ(parks->load(), unparks->load());
                         })
                         .build();
        // The worker has nothing to do at first, so it parks; each task
        // spawned from outside then unparks it.
        for (int i = 0; i < 5; ++i) {
            auto h = rt.spawn(future::lazy([] { return 1; }));
            EXPECT_EQ(rt.block_on(std::move(h)).value(), 1);
        }
        EXPECT_GE(parks->load(), 1);
    }
    // Shutdown unparks the last park.
    EXPECT_EQ(parks->load(), unparks->load());
}

TEST(Builder, OnThreadParkRunsWhenTheCurrentThreadRuntimeWaits) {
    int parks = 0, unparks = 0;
    Runtime rt = Builder::new_current_thread()
                     .on_thread_park([&] { ++parks; })
                     .on_thread_unpark([&] { ++unparks; })
                     .build();
    // A timer that has to be waited for: block_on's thread parks in the reactor.
    rt.block_on(time::sleep(1ms));
    EXPECT_GE(parks, 1);
    EXPECT_EQ(parks, unparks);
}

TEST(Runtime, ShutdownBackgroundDoesNotWaitForABlockingClosure) {
    auto release = std::make_shared<std::promise<void>>();
    auto released = release->get_future().share();
    auto finished = std::make_shared<std::atomic<bool>>(false);
    {
        Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
        auto entered = std::make_shared<std::promise<void>>();
        auto entered_f = entered->get_future();
        (void)rt.spawn_blocking([entered, released, finished] {
            entered->set_value();
            released.wait();
            finished->store(true);
        });
        entered_f.wait();
        rt.shutdown_background();
        // Still running on its own thread: shutdown_background returned anyway.
        EXPECT_FALSE(finished->load());
        release->set_value();
    }
    // The destructor after shutdown_background does not wait either; the
    // closure finishes on its own thread.
    for (int i = 0; i < 10'000 && !finished->load(); ++i) std::this_thread::sleep_for(1ms);
    EXPECT_TRUE(finished->load());
}

TEST(Runtime, ShutdownTimeoutWaitsForABlockingClosureThatFinishesInTime) {
    auto finished = std::make_shared<std::atomic<bool>>(false);
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    auto entered = std::make_shared<std::promise<void>>();
    auto entered_f = entered->get_future();
    (void)rt.spawn_blocking([entered, finished] {
        entered->set_value();
        std::this_thread::sleep_for(20ms);
        finished->store(true);
    });
    entered_f.wait();
    rt.shutdown_timeout(std::chrono::hours(1));
    EXPECT_TRUE(finished->load());
}

TEST(Handle, TryCurrentIsAnErrorOutsideARuntimeAndTheHandleInside) {
    auto outside = Handle::try_current();
    ASSERT_TRUE(outside.is_err());
    EXPECT_TRUE(outside.error().is_missing_context());
    EXPECT_FALSE(outside.error().is_thread_local_destroyed());
    EXPECT_FALSE(outside.error().message().empty());

    Runtime rt = Builder::new_current_thread().build();
    bool inside = rt.block_on(future::lazy([] { return Handle::try_current().is_ok(); }));
    EXPECT_TRUE(inside);
    auto guard = rt.enter();
    auto entered = Handle::try_current();
    ASSERT_TRUE(entered.is_ok());
    EXPECT_EQ(entered.value().runtime_flavor(), RuntimeFlavor::CurrentThread);
}

TEST(Handle, RuntimeFlavorNamesTheScheduler) {
    EXPECT_EQ(Builder::new_current_thread().build().handle().runtime_flavor(), RuntimeFlavor::CurrentThread);
    EXPECT_EQ(Builder::new_multi_thread().worker_threads(1).build().handle().runtime_flavor(),
              RuntimeFlavor::MultiThread);
    EXPECT_EQ(Builder::new_simulation(1).build().handle().runtime_flavor(), RuntimeFlavor::Simulation);
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    EXPECT_EQ(rt.handle().metrics().workers, 2u);
}
