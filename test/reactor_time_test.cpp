// Timers: the heap's order and cancellation, sleep/timeout/interval on the
// paused clock (instant and deterministic), and a few real-clock checks that
// assert only order, never durations.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include <pollen.hpp>
#include <pollen/reactor/detail/reactor.hpp>

using namespace pollen;
using namespace std::chrono_literals;

namespace {

Runtime paused_runtime() { return Builder::new_current_thread().start_paused(true).build(); }

std::size_t pending_timers() { return detail::Reactor::current()->pending_timers(); }

/// Sleeps, then records `id`.
struct SleepThenRecord : FutureExt<SleepThenRecord> {
    using Output = void;
    time::Sleep sleep;
    int id;
    std::shared_ptr<std::vector<int>> log;
    Poll<void> poll(Context& cx) {
        if (sleep.poll(cx).is_pending()) return pending;
        log->push_back(id);
        return ready();
    }
};

}  // namespace

TEST(TimerHeap, PopsInDeadlineOrderAndCancelsAnywhere) {
    detail::TimerHeap heap;
    std::vector<detail::TimerEntry> entries(1000);
    std::mt19937 rng(7);
    auto base = std::chrono::steady_clock::time_point{};
    for (auto& e : entries) {
        e.deadline = base + std::chrono::milliseconds(rng() % 500);
        heap.insert(&e);
    }
    for (std::size_t i = 0; i < entries.size(); i += 3) heap.remove(&entries[i]);
    heap.remove(&entries[0]);  // twice: no effect
    std::vector<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> popped;
    while (auto* e = heap.pop()) popped.emplace_back(e->deadline, e->seq);
    EXPECT_EQ(popped.size(), entries.size() - (entries.size() + 2) / 3);
    EXPECT_TRUE(std::is_sorted(popped.begin(), popped.end()));
}

TEST(Time, SleepOnAPausedClockCompletesWithoutWaiting) {
    Runtime rt = paused_runtime();
    auto [before, after] = rt.block_on(lazy([] { return time::Instant::now(); }).then([](time::Instant start) {
        return time::sleep(1h).map([start] { return std::pair{start, time::Instant::now()}; });
    }));
    EXPECT_GE(after - before, 1h);
}

TEST(Time, TimersFireInDeadlineOrderAndEqualDeadlinesInRegistrationOrder) {
    Runtime rt = paused_runtime();
    auto log = std::make_shared<std::vector<int>>();
    rt.block_on(lazy([log] {
        JoinSet<void> set;
        auto now = time::Instant::now();
        int delays_ms[] = {50, 10, 30, 10, 20};
        for (int i = 0; i < 5; ++i)
            set.spawn(SleepThenRecord{{}, time::sleep_until(now + std::chrono::milliseconds(delays_ms[i])), i, log});
        return set;
    }).then([](JoinSet<void> set) {
        return loop_fn(std::move(set), [](JoinSet<void> s) {
            auto* raw = new JoinSet<void>(std::move(s));
            return raw->join_next().map([raw](auto r) -> LoopStep<JoinSet<void>, Unit> {
                std::unique_ptr<JoinSet<void>> owned(raw);
                if (!r) return Break{Unit{}};
                return Continue{std::move(*owned)};
            });
        });
    }));
    EXPECT_EQ(*log, (std::vector<int>{1, 3, 4, 2, 0}));
}

TEST(Time, TimeoutExpiresAndDestroysTheInnerFuture) {
    Runtime rt = paused_runtime();
    auto destroyed = std::make_shared<bool>(false);
    struct Never : FutureExt<Never> {
        using Output = int;
        std::shared_ptr<bool> destroyed;
        Never(std::shared_ptr<bool> d) : destroyed(std::move(d)) {}
        Never(Never&& o) noexcept : destroyed(std::move(o.destroyed)) {}
        ~Never() {
            if (destroyed) *destroyed = true;
        }
        Poll<int> poll(Context&) { return pending; }
    };
    auto r = rt.block_on(time::timeout(5s, Never(destroyed)).inspect([&](const auto&) {
        EXPECT_TRUE(*destroyed);  // before the result is delivered
    }));
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), time::Elapsed{});
}

TEST(Time, TimeoutOfAReadyFutureRegistersNoTimer) {
    Runtime rt = paused_runtime();
    rt.block_on(lazy([] {
        return time::timeout(60s, future::ready(3)).map([](auto r) {
            EXPECT_EQ(r.value(), 3);
            EXPECT_EQ(pending_timers(), 0u);
        });
    }).then([](auto f) { return f; }));
}

TEST(Time, ASleepDestroyedMidwayLeavesTheHeap) {
    Runtime rt = paused_runtime();
    rt.block_on(poll_fn([](Context& cx) -> Poll<void> {
        {
            time::Sleep s = time::sleep(10s);
            EXPECT_TRUE(s.poll(cx).is_pending());
            EXPECT_EQ(pending_timers(), 1u);
        }
        EXPECT_EQ(pending_timers(), 0u);
        return ready();
    }));
}

TEST(Time, AdvanceFiresTimersThatFallDue) {
    Runtime rt = paused_runtime();
    auto log = std::make_shared<std::vector<int>>();
    rt.block_on(lazy([log] {
        spawn(SleepThenRecord{{}, time::sleep(100ms), 1, log});
        spawn(SleepThenRecord{{}, time::sleep(300ms), 2, log});
        return yield_now();
    }).then([](YieldNow y) { return y; })
      .then([] { return time::advance(150ms); })
      .map([log] { EXPECT_EQ(*log, std::vector<int>{1}); })
      .then([] { return time::advance(200ms); })
      .map([log] { EXPECT_EQ(*log, (std::vector<int>{1, 2})); }));
}

namespace {
/// Collects `n` ticks of an interval, recording each tick's offset from the
/// start in ms; `busy_at` makes the task stall (advance the clock) after that tick.
struct CollectTicks : FutureExt<CollectTicks> {
    using Output = std::vector<long>;
    time::Interval iv;
    time::Instant start;
    int n;
    int busy_after;
    std::vector<long> offsets;
    std::optional<time::Advance> stall;
    Poll<std::vector<long>> poll(Context& cx) {
        for (;;) {
            if (stall) {
                if (stall->poll(cx).is_pending()) return pending;
                stall.reset();
            }
            if ((int)offsets.size() == n) return ready(std::move(offsets));
            auto p = iv.poll_tick(cx);
            if (p.is_pending()) return pending;
            offsets.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(p.take() - start).count());
            if ((int)offsets.size() == busy_after) stall.emplace(time::advance(350ms));
        }
    }
};

std::vector<long> ticks_with(time::MissedTickBehavior b) {
    Runtime rt = paused_runtime();
    return rt.block_on(lazy([b] {
        auto iv = time::interval(100ms);
        iv.set_missed_tick_behavior(b);
        return CollectTicks{{}, std::move(iv), time::Instant::now(), 6, 2, {}, std::nullopt};
    }).then([](CollectTicks c) { return c; }));
}
}  // namespace

TEST(Time, IntervalBurstCatchesUpOnMissedTicks) {
    // Ticks at 0, 100; then stalled 350 ms (now 450): 200, 300, 400 fire at once, then 500.
    EXPECT_EQ(ticks_with(time::MissedTickBehavior::Burst), (std::vector<long>{0, 100, 200, 300, 400, 500}));
}

TEST(Time, IntervalDelayRestartsFromTheLateTick) {
    // Stalled until 450: the late tick 200 fires at 450, then 550, 650, 750.
    EXPECT_EQ(ticks_with(time::MissedTickBehavior::Delay), (std::vector<long>{0, 100, 200, 550, 650, 750}));
}

TEST(Time, IntervalSkipStaysOnTheGrid) {
    // Stalled until 450: tick 200 fires late, then the grid resumes at 500, 600, 700.
    EXPECT_EQ(ticks_with(time::MissedTickBehavior::Skip), (std::vector<long>{0, 100, 200, 500, 600, 700}));
}

TEST(Time, RealClockSleepsOnTheMultiThreadRuntimeComplete) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto start = std::chrono::steady_clock::now();
    rt.block_on(time::sleep(20ms));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);  // never early
    auto log = std::make_shared<std::vector<int>>();
    auto mu = std::make_shared<std::mutex>();
    JoinSet<void> set;
    for (int i = 0; i < 100; ++i)
        set.spawn_on(time::sleep(std::chrono::milliseconds(1 + i % 7)).map([log, mu, i] {
            std::lock_guard lock(*mu);
            log->push_back(i);
        }), rt.handle());
    while (rt.block_on(set.join_next())) {
    }
    EXPECT_EQ(log->size(), 100u);
}

TEST(Time, SleepOutsideARuntimeThrows) {
    auto s = time::sleep(1ms);
    Context cx(noop_waker_ref());
    EXPECT_THROW((void)s.poll(cx), std::logic_error);
}
