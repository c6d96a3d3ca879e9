// The multi-thread scheduler's own guarantees: no lost or double wake under
// racing wakes, work stealing, the blocking pool's bounds, shutdown with
// pending and blocking work, slow-poll warnings, metrics and dumps.
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/log.hpp>
#include "support/sanitizer.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace {

/// Tokens deposited by foreign threads, each followed by a wake of the task
/// through a fresh clone of its waker (a real wake-by-value every time).
struct Mailbox {
    std::atomic<long> tokens{0};
    std::mutex mu;
    std::optional<Waker> waker;
    void wake() {
        std::optional<Waker> clone;
        {
            std::lock_guard lock(mu);
            clone = waker;
        }
        if (clone) std::move(*clone).wake();
    }
    std::atomic<bool> in_poll{false};
    std::atomic<int> concurrent_polls{0};
};

/// Ready once it has collected `target` tokens. Detects being polled on two
/// threads at once (what a double wake-up would cause).
struct CollectTokens : FutureExt<CollectTokens> {
    using Output = long;
    std::shared_ptr<Mailbox> box;
    long target;
    long collected = 0;
    Poll<long> poll(Context& cx) {
        if (box->in_poll.exchange(true)) box->concurrent_polls.fetch_add(1);
        {
            std::lock_guard lock(box->mu);
            if (!box->waker || !box->waker->will_wake(cx.waker())) box->waker = cx.waker();
        }
        collected += box->tokens.exchange(0);
        box->in_poll.store(false);
        if (collected >= target) return ready(collected);
        return pending;
    }
};

struct Value : FutureExt<Value> {
    using Output = int;
    int v;
    Poll<int> poll(Context&) { return ready(v); }
};

template <class Fn>
struct Call : FutureExt<Call<Fn>> {
    using Output = std::invoke_result_t<Fn&>;
    Fn fn;
    explicit Call(Fn f) : fn(std::move(f)) {}
    Poll<Output> poll(Context&) {
        if constexpr (std::is_void_v<Output>) {
            fn();
            return ready();
        } else {
            return ready(fn());
        }
    }
};

}  // namespace

TEST(MultiThread, AMillionRacingWakesLoseNoneAndNeverDoublePoll) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    constexpr int kTasks = 1000;
    const int kWakesPerTask = pollen::test::stress_scaled(1000);  // 1,000,000 wakes in all (plain build)
    std::vector<std::shared_ptr<Mailbox>> boxes;
    std::vector<JoinHandle<long>> handles;
    for (int i = 0; i < kTasks; ++i) {
        boxes.push_back(std::make_shared<Mailbox>());
        handles.push_back(rt.spawn(CollectTokens{{}, boxes.back(), kWakesPerTask}));
    }
    auto wake_half = [&](int first) {
        for (int round = 0; round < kWakesPerTask; ++round)
            for (int i = first; i < kTasks; i += 2) {
                boxes[i]->tokens.fetch_add(1);
                boxes[i]->wake();
            }
    };
    std::thread a(wake_half, 0), b(wake_half, 1);
    a.join();
    b.join();
    long total = 0;
    for (auto& h : handles) total += rt.block_on(std::move(h)).value();
    EXPECT_EQ(total, long(kTasks) * kWakesPerTask);
    for (auto& box : boxes) EXPECT_EQ(box->concurrent_polls.load(), 0);
}

TEST(MultiThread, TasksSpawnedByOneWorkerAreStolenByOthers) {
    // 200 tasks fit in the spawning worker's local queue, so another worker
    // can only get them by stealing. Each task holds its worker until tasks
    // have run on two threads: the spawning worker alone cannot finish them,
    // however the OS schedules the threads (the wait is bounded only to turn
    // a bug into a failure rather than a hang).
    constexpr int kTasks = 200;
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    struct Shared {
        std::mutex mu;
        std::vector<std::thread::id> threads;
        std::atomic<int> done{0};
        bool seen_two() {
            std::lock_guard lock(mu);
            return threads.size() >= 2;
        }
    };
    auto shared = std::make_shared<Shared>();
    auto spawner = rt.spawn(Call([shared] {
        for (int i = 0; i < kTasks; ++i)
            (void)spawn(Call([shared] {
                {
                    std::lock_guard lock(shared->mu);
                    auto me = std::this_thread::get_id();
                    if (std::find(shared->threads.begin(), shared->threads.end(), me) == shared->threads.end())
                        shared->threads.push_back(me);
                }
                auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
                while (!shared->seen_two() && std::chrono::steady_clock::now() < give_up)
                    std::this_thread::yield();
                shared->done.fetch_add(1);
            }));
        return 0;
    }));
    (void)rt.block_on(std::move(spawner));
    while (shared->done.load() < kTasks) std::this_thread::yield();
    EXPECT_TRUE(shared->seen_two());
    RuntimeMetrics m = rt.metrics();
    EXPECT_EQ(m.workers, 4u);
    EXPECT_GE(m.tasks_spawned, std::uint64_t{kTasks} + 1);
    EXPECT_GT(m.steals, 0u);
    int workers_that_ran = 0;
    for (auto& w : m.per_worker) workers_that_ran += w.polls > 0;
    EXPECT_GE(workers_that_ran, 2);
}

TEST(MultiThread, SpawnBlockingReturnsTheClosuresResult) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto r = rt.block_on(rt.spawn_blocking([] { return 6 * 7; }));
    EXPECT_EQ(r.value(), 42);
    // Inside a task too, through the free function.
    auto nested = rt.block_on(rt.spawn(Call([] { return spawn_blocking([] { return 5; }); })));
    EXPECT_EQ(rt.block_on(std::move(nested).value()).value(), 5);
}

TEST(MultiThread, BlockingPoolNeverExceedsItsBound) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).max_blocking_threads(2).build();
    std::atomic<int> running{0}, max_running{0};
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < 8; ++i)
        hs.push_back(rt.spawn_blocking([&] {
            int now = running.fetch_add(1) + 1;
            int seen = max_running.load();
            while (now > seen && !max_running.compare_exchange_weak(seen, now)) {
            }
            std::this_thread::sleep_for(5ms);
            running.fetch_sub(1);
        }));
    EXPECT_LE(rt.metrics().blocking_threads, 2u);
    for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
    EXPECT_LE(max_running.load(), 2);
    EXPECT_GE(max_running.load(), 1);
}

TEST(MultiThread, IdleBlockingThreadsExitAfterKeepAlive) {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).thread_keep_alive(20ms).build();
    // While a closure runs, the pool has a thread and the metrics say so.
    std::atomic<bool> started{false}, release{false};
    auto running = rt.spawn_blocking([&] {
        started = true;
        while (!release) std::this_thread::sleep_for(1ms);
        return 1;
    });
    while (!started) std::this_thread::sleep_for(1ms);
    EXPECT_EQ(rt.metrics().blocking_threads, 1u);
    release = true;
    (void)rt.block_on(std::move(running));
    // Waits for an event, not a duration: the bound only stops a broken pool hanging the suite.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (rt.metrics().blocking_threads != 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(5ms);
    EXPECT_EQ(rt.metrics().blocking_threads, 0u);
}

TEST(MultiThread, ShutdownDestroysPendingTasksCancelsQueuedBlockingWorkAndWaitsForRunning) {
    struct Forever : FutureExt<Forever> {
        using Output = void;
        std::shared_ptr<std::atomic<int>> destroyed;
        Forever(std::shared_ptr<std::atomic<int>> d) : destroyed(std::move(d)) {}
        Forever(Forever&& o) noexcept : destroyed(std::move(o.destroyed)) {}
        ~Forever() {
            if (destroyed) destroyed->fetch_add(1);
        }
        Poll<void> poll(Context&) { return pending; }
    };
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    std::atomic<bool> first_started{false}, first_finished{false}, second_ran{false};
    std::optional<JoinHandle<void>> queued;
    {
        Runtime rt = Builder::new_multi_thread().worker_threads(2).max_blocking_threads(1).build();
        for (int i = 0; i < 20; ++i) rt.spawn(Forever(destroyed));
        rt.spawn_blocking([&] {
            first_started = true;
            std::this_thread::sleep_for(30ms);
            first_finished = true;
        });
        queued.emplace(rt.spawn_blocking([&] { second_ran = true; }));
        while (!first_started) std::this_thread::yield();
    }
    EXPECT_EQ(destroyed->load(), 20);
    EXPECT_TRUE(first_finished.load());
    EXPECT_FALSE(second_ran.load());
    EXPECT_TRUE(queued->is_finished());
}

TEST(MultiThread, SlowPollLogsAWarningWithTheSpawnLocation) {
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
    spdlog::logger& log = pollen::detail::log();
    log.sinks().push_back(sink);
    auto old_level = log.level();
    log.set_level(spdlog::level::warn);
    {
        Runtime rt = Builder::new_multi_thread().worker_threads(1).warn_on_slow_poll(2ms).build();
        (void)rt.block_on(rt.spawn(Call([] { std::this_thread::sleep_for(30ms); })));
    }
    log.sinks().pop_back();
    log.set_level(old_level);
    auto lines = sink->last_formatted();
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines.back().find("blocked its thread"), std::string::npos);
    EXPECT_NE(lines.back().find("runtime_multi_thread_test.cpp"), std::string::npos);
}

struct NeverReady : FutureExt<NeverReady> {
    using Output = void;
    Poll<void> poll(Context&) { return pending; }
};

TEST(MultiThread, DumpListsLiveTasksWithTheirSpawnLocation) {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).task_stats(false).build();
    auto h = rt.spawn(NeverReady{});
    while (rt.metrics().polls == 0) std::this_thread::yield();
    std::string dump = rt.dump();
    EXPECT_NE(dump.find("task " + std::to_string(h.id())), std::string::npos);
    EXPECT_NE(dump.find("runtime_multi_thread_test.cpp"), std::string::npos);
    EXPECT_EQ(dump.find(" polls="), std::string::npos) << dump;  // no statistics kept
    EXPECT_EQ(rt.metrics().tasks_alive, 1u);
}

TEST(MultiThread, DumpWithTaskStatsShowsPollsAndTheLastPoll) {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).task_stats(true).build();
    auto h = rt.spawn(NeverReady{});
    while (rt.metrics().polls == 0) std::this_thread::yield();
    std::string dump = rt.dump();
    EXPECT_NE(dump.find("task " + std::to_string(h.id())), std::string::npos);
    EXPECT_NE(dump.find(" polls=1 "), std::string::npos) << dump;
    EXPECT_NE(dump.find(" last_poll="), std::string::npos) << dump;  // running or idle
    EXPECT_NE(dump.find("runtime_multi_thread_test.cpp"), std::string::npos);
}

TEST(MultiThread, ThreadStartAndStopHooksRunOnEveryWorker) {
    std::atomic<int> started{0}, stopped{0};
    {
        Runtime rt = Builder::new_multi_thread()
                         .worker_threads(3)
                         .on_thread_start([&] { started++; })
                         .on_thread_stop([&] { stopped++; })
                         .build();
        EXPECT_EQ(rt.block_on(rt.spawn(Value{{}, 1})).value(), 1);
    }
    EXPECT_EQ(started.load(), 3);
    EXPECT_EQ(stopped.load(), 3);
}

TEST(MultiThread, AnAlwaysReadyTaskCannotStarveOthersThanksToTheBudget) {
    // One worker; a task that loops on JoinHandles of finished tasks is forced
    // to yield by the cooperative budget, so a second task gets to run.
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    auto other_ran = std::make_shared<std::atomic<bool>>(false);
    struct Spinner : FutureExt<Spinner> {
        using Output = int;
        std::shared_ptr<std::atomic<bool>> other_ran;
        std::optional<JoinHandle<int>> h;
        int rounds = 0;
        Poll<int> poll(Context& cx) {
            while (!other_ran->load()) {
                if (!h) h.emplace(spawn(Value{{}, 1}));
                if (h->poll(cx).is_pending()) return pending;
                h.reset();
                ++rounds;
            }
            return ready(rounds);
        }
    };
    auto spinner = rt.spawn(Spinner{{}, other_ran, std::nullopt, 0});
    rt.spawn(Call([other_ran] { other_ran->store(true); }));
    EXPECT_GE(rt.block_on(std::move(spinner)).value(), 0);
    EXPECT_TRUE(other_ran->load());
}
