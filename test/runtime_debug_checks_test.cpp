// The runtime's reports on mistakes in user futures: a lost waker (a task
// left Pending with no live clone of its waker and no wake: nothing can ever
// poll it again) and a slow poll (blocking the worker). Each is a warning
// naming the task's spawn location; lost wakers are also counted in
// RuntimeMetrics::lost_waker_count. Correct futures are never reported:
// one that stores its waker, one that wakes itself during its poll, one that
// hands its waker to a thread that wakes and drops it.
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/log.hpp>

using namespace pollen;
using namespace std::chrono_literals;

namespace {

/// The bug: Pending, and the waker thrown away.
struct ForgetsItsWaker : FutureExt<ForgetsItsWaker> {
    using Output = void;
    Poll<void> poll(Context&) { return pending; }
};

/// Stores its waker; Ready once `flag` is set (by the test, after waking).
struct StoresItsWaker : FutureExt<StoresItsWaker> {
    using Output = void;
    std::shared_ptr<AtomicWaker> waker;
    std::shared_ptr<std::atomic<bool>> flag;
    Poll<void> poll(Context& cx) {
        if (flag->load()) return ready();
        waker->register_waker(cx.waker());
        if (flag->load()) return ready();
        return pending;
    }
};

/// Gives a clone to a thread that wakes it (by value) at once; Ready on the
/// second poll. The thread is joined by whoever owns `threads`.
struct WokenFromAnotherThread : FutureExt<WokenFromAnotherThread> {
    using Output = void;
    std::vector<std::thread>* threads;
    bool started = false;
    Poll<void> poll(Context& cx) {
        if (started) return ready();
        started = true;
        threads->emplace_back([w = cx.waker()]() mutable { std::move(w).wake(); });
        return pending;
    }
};

/// Captures the `pollen` logger's warnings for the test's scope.
class CapturedLog {
public:
    CapturedLog() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)) {
        auto& log = pollen::detail::log();
        log.sinks().push_back(sink_);
        old_level_ = log.level();
        log.set_level(spdlog::level::warn);
    }
    ~CapturedLog() {
        auto& log = pollen::detail::log();
        log.sinks().pop_back();
        log.set_level(old_level_);
    }
    bool contains(const std::string& what) const {
        for (const auto& line : sink_->last_formatted())
            if (line.find(what) != std::string::npos) return true;
        return false;
    }

private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
    spdlog::level::level_enum old_level_;
};

bool eventually(const std::function<bool()>& cond) {
    auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!cond()) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::yield();
    }
    return true;
}

Runtime build(bool multi_thread, bool detect = true) {
    Builder b = multi_thread ? Builder::new_multi_thread().worker_threads(2) : Builder::new_current_thread();
    return b.detect_lost_wakers(detect).build();
}

class LostWaker : public ::testing::TestWithParam<bool> {};

}  // namespace

TEST_P(LostWaker, APendingPollThatDroppedItsWakerIsReportedWithItsSpawnLocation) {
    CapturedLog captured;
    Runtime rt = build(GetParam());
    auto handle = rt.spawn(ForgetsItsWaker{});
    rt.block_on(yield_now());  // the current-thread flavour runs the task here
    EXPECT_TRUE(eventually([&] { return rt.metrics().lost_waker_count > 0; }));  // logged before counted
    EXPECT_EQ(rt.metrics().lost_waker_count, 1u);
    EXPECT_TRUE(captured.contains("lost waker"));
    EXPECT_TRUE(captured.contains("runtime_debug_checks_test.cpp"));
    handle.abort();
}

TEST_P(LostWaker, AFutureThatStoresItsWakerIsNotReported) {
    Runtime rt = build(GetParam());
    auto waker = std::make_shared<AtomicWaker>();
    auto flag = std::make_shared<std::atomic<bool>>(false);
    auto handle = rt.spawn(StoresItsWaker{{}, waker, flag});
    rt.block_on(yield_now());
    EXPECT_TRUE(eventually([&] { return rt.metrics().polls > 0; }));
    flag->store(true);
    waker->wake();
    EXPECT_TRUE(rt.block_on(std::move(handle)).is_ok());
    EXPECT_EQ(rt.metrics().lost_waker_count, 0u);
}

TEST_P(LostWaker, ATaskWokenDuringItsOwnPollIsNotReported) {
    Runtime rt = build(GetParam());
    auto handle = rt.spawn(yield_now().then([] { return yield_now(); }));
    EXPECT_TRUE(rt.block_on(std::move(handle)).is_ok());
    EXPECT_EQ(rt.metrics().lost_waker_count, 0u);
}

TEST_P(LostWaker, AWakerWokenAndDroppedByAnotherThreadIsNotReported) {
    std::vector<std::thread> threads;  // joined after the runtime is gone
    {
        Runtime rt = build(GetParam());
        for (int i = 0; i < 200; ++i)
            EXPECT_TRUE(rt.block_on(rt.spawn(WokenFromAnotherThread{{}, &threads})).is_ok());
        EXPECT_EQ(rt.metrics().lost_waker_count, 0u);
        // The last waking threads may still be inside the scheduler here.
        for (auto& t : threads) t.join();
    }
}

TEST_P(LostWaker, OffMeansNotCounted) {
    Runtime rt = build(GetParam(), /*detect=*/false);
    auto handle = rt.spawn(ForgetsItsWaker{});
    rt.block_on(yield_now());
    EXPECT_TRUE(eventually([&] { return rt.metrics().polls > 0; }));
    handle.abort();
    (void)rt.block_on(std::move(handle));
    EXPECT_EQ(rt.metrics().lost_waker_count, 0u);
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, LostWaker, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });

TEST(LostWakerConfig, TheEnvironmentVariableSetsTheDefault) {
    ::setenv("POLLEN_DETECT_LOST_WAKERS", "0", 1);
    EXPECT_FALSE(Builder::new_current_thread().config().detect_lost_wakers);
    ::setenv("POLLEN_DETECT_LOST_WAKERS", "1", 1);
    EXPECT_TRUE(Builder::new_current_thread().config().detect_lost_wakers);
    ::unsetenv("POLLEN_DETECT_LOST_WAKERS");
#ifdef NDEBUG
    EXPECT_FALSE(Builder::new_current_thread().config().detect_lost_wakers);
#else
    EXPECT_TRUE(Builder::new_current_thread().config().detect_lost_wakers);
#endif
    EXPECT_FALSE(Builder::new_current_thread().detect_lost_wakers(false).config().detect_lost_wakers);
}

TEST(SlowPoll, TheCurrentThreadFlavourWarnsWithTheSpawnLocationToo) {
    CapturedLog captured;
    Runtime rt = Builder::new_current_thread().warn_on_slow_poll(2ms).build();
    (void)rt.block_on(rt.spawn(future::lazy([] { std::this_thread::sleep_for(30ms); })));
    EXPECT_TRUE(captured.contains("blocked its thread"));
    EXPECT_TRUE(captured.contains("runtime_debug_checks_test.cpp"));
}

// A worker times back-to-back polls with one clock read each (the end of
// one poll starts the next): the time it then spends parked must never be
// counted as the next poll's.
TEST(SlowPoll, TimeAWorkerSpentParkedBetweenTwoPollsIsNotCounted) {
    CapturedLog captured;
    Runtime rt = Builder::new_multi_thread().worker_threads(1).warn_on_slow_poll(100ms).build();
    (void)rt.block_on(rt.spawn(future::lazy([] {})));
    std::this_thread::sleep_for(300ms);  // the worker parks meanwhile
    (void)rt.block_on(rt.spawn(future::lazy([] {})));
    EXPECT_FALSE(captured.contains("blocked its thread"));
}

// ... while a slow poll after a run of quick ones is still reported.
TEST(SlowPoll, ASlowPollAfterQuickOnesOnTheSameWorkerIsReported) {
    CapturedLog captured;
    Runtime rt = Builder::new_multi_thread().worker_threads(1).warn_on_slow_poll(2ms).build();
    for (int i = 0; i < 100; ++i) (void)rt.spawn(future::lazy([] {}));
    (void)rt.block_on(rt.spawn(future::lazy([] { std::this_thread::sleep_for(30ms); })));
    EXPECT_TRUE(captured.contains("blocked its thread"));
}

// A named task (task::Builder) is called by its name in the warnings: that
// is what the person reading them gave it.
TEST(SlowPoll, ANamedTaskIsCalledByItsName) {
    CapturedLog captured;
    Runtime rt = Builder::new_current_thread().warn_on_slow_poll(2ms).build();
    auto handle = task::Builder().name("resize images").spawn_on(future::lazy([] { std::this_thread::sleep_for(30ms); }),
                                                                 rt.handle());
    (void)rt.block_on(std::move(handle));
    EXPECT_TRUE(captured.contains("\"resize images\" spawned at"));
}

TEST(LostWakerNamed, ANamedTaskIsCalledByItsName) {
    CapturedLog captured;
    Runtime rt = build(/*multi_thread=*/false);
    auto handle = task::Builder().name("poller").spawn_on(ForgetsItsWaker{}, rt.handle());
    rt.block_on(yield_now());
    EXPECT_EQ(rt.metrics().lost_waker_count, 1u);
    EXPECT_TRUE(captured.contains("\"poller\" spawned at"));
    handle.abort();
}
