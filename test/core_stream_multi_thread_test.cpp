// Streams under threads: FuturesUnordered whose futures are woken from other
// threads (many times, racing with the set's polls, and after the set is
// gone), and buffer_unordered / buffered / for_each_concurrent over tasks
// running on a multi-thread runtime. Meant to pass under SAN=thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <numeric>
#include <ranges>
#include <thread>
#include <utility>
#include <vector>

#include <pollen.hpp>

using namespace pollen;
using Ints = std::vector<int>;

namespace {

/// A condition other threads make true, counting down: the future waiting
/// on it is ready once `remaining` reaches 0; every decrement wakes it.
struct Countdown {
    std::atomic<int> remaining;
    AtomicWaker waker;
    explicit Countdown(int n) : remaining(n) {}
    void tick() {
        remaining.fetch_sub(1, std::memory_order_acq_rel);
        waker.wake();
    }
};

class WaitCountdown : public FutureExt<WaitCountdown> {
public:
    using Output = int;
    WaitCountdown(std::shared_ptr<Countdown> c, int v) : c_(std::move(c)), value_(v) {}
    Poll<int> poll(Context& cx) {
        if (c_->remaining.load(std::memory_order_acquire) <= 0) return ready(value_);
        c_->waker.register_waker(cx.waker());
        if (c_->remaining.load(std::memory_order_acquire) <= 0) return ready(value_);
        return pending;
    }

private:
    std::shared_ptr<Countdown> c_;
    int value_;
};

Ints iota_vec(int n) {
    Ints v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
}

/// Ticks every countdown `ticks` times from `threads` threads, each thread
/// taking an interleaved share of the countdowns.
std::vector<std::thread> tick_from_threads(const std::vector<std::shared_ptr<Countdown>>& cs, int ticks,
                                           int threads) {
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&cs, ticks, t, threads] {
            for (int round = 0; round < ticks; ++round)
                for (std::size_t i = static_cast<std::size_t>(t); i < cs.size(); i += static_cast<std::size_t>(threads))
                    cs[i]->tick();
        });
    }
    return ts;
}

/// Ticks every countdown `ticks` times from each of `threads` threads, so
/// that wakes of the same future race with each other.
std::vector<std::thread> tick_all_from_threads(const std::vector<std::shared_ptr<Countdown>>& cs, int ticks,
                                               int threads) {
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&cs, ticks] {
            for (int round = 0; round < ticks; ++round)
                for (auto& c : cs) c->tick();
        });
    }
    return ts;
}

}  // namespace

TEST(CoreStreamMultiThread, FuturesUnorderedCollectsFuturesWokenFromOtherThreads) {
    constexpr int kN = 2000;
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    std::vector<std::shared_ptr<Countdown>> cs;
    FuturesUnordered<WaitCountdown> set;
    for (int i = 0; i < kN; ++i) {
        cs.push_back(std::make_shared<Countdown>(1));
        set.push(WaitCountdown(cs.back(), i));
    }
    auto threads = tick_from_threads(cs, 1, 4);
    Ints out = rt.block_on(std::move(set).collect());
    for (auto& t : threads) t.join();
    std::sort(out.begin(), out.end());
    EXPECT_EQ(out, iota_vec(kN));
}

TEST(CoreStreamMultiThread, RepeatedWakesRacingWithPollsAreNeverLost) {
    constexpr int kN = 200;
    constexpr int kTicks = 50;
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    std::vector<std::shared_ptr<Countdown>> cs;
    for (int i = 0; i < kN; ++i) cs.push_back(std::make_shared<Countdown>(kTicks * 2));
    // The set lives in a spawned task, polled on worker threads while two
    // plain threads each tick every countdown kTicks times.
    JoinHandle<Ints> handle = rt.spawn(future::lazy([&cs] {
                                           FuturesUnordered<WaitCountdown> set;
                                           for (int i = 0; i < kN; ++i)
                                               set.push(WaitCountdown(cs[static_cast<std::size_t>(i)], i));
                                           return std::move(set).collect();
                                       }).then([](auto collect) { return collect; }));
    auto threads = tick_all_from_threads(cs, kTicks, 2);
    for (auto& t : threads) t.join();
    auto result = rt.block_on(std::move(handle));
    ASSERT_TRUE(result.is_ok());
    Ints out = std::move(result).value();
    std::sort(out.begin(), out.end());
    EXPECT_EQ(out, iota_vec(kN));
}

TEST(CoreStreamMultiThread, WakesAfterTheSetIsGoneAreHarmless) {
    constexpr int kN = 500;
    std::vector<std::shared_ptr<Countdown>> cs;
    for (int i = 0; i < kN; ++i) cs.push_back(std::make_shared<Countdown>(1'000'000));
    {
        FuturesUnordered<WaitCountdown> set;
        for (int i = 0; i < kN; ++i) set.push(WaitCountdown(cs[static_cast<std::size_t>(i)], i));
        Context cx(noop_waker_ref());
        EXPECT_TRUE(set.poll_next(cx).is_pending());  // every future registered its node's waker
        auto threads = tick_from_threads(cs, 20, 3);
        for (int i = 0; i < 10; ++i) (void)set.poll_next(cx);  // polls race with the ticks
        // The set dies while the threads may still be waking its nodes.
        set = FuturesUnordered<WaitCountdown>();
        for (auto& t : threads) t.join();
    }
    for (auto& c : cs) c->tick();  // the nodes' last wakers are taken and dropped here
}

TEST(CoreStreamMultiThread, BufferUnorderedOverSpawnedTasks) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto work = stream::iter(std::views::iota(0, 300))
                    .map([](int i) { return pollen::spawn(yield_now().map([i] { return i; })); })
                    .buffer_unordered(16)
                    .map([](Result<int, JoinError> r) { return std::move(r).value(); })
                    .collect();
    Ints out = rt.block_on(rt.spawn(std::move(work))).value();
    std::sort(out.begin(), out.end());
    EXPECT_EQ(out, iota_vec(300));
}

TEST(CoreStreamMultiThread, BufferedOverSpawnedTasksKeepsStreamOrder) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto work = stream::iter(std::views::iota(0, 300))
                    .map([](int i) { return pollen::spawn(yield_now().map([i] { return i; })); })
                    .buffered(16)
                    .map([](Result<int, JoinError> r) { return std::move(r).value(); })
                    .collect();
    Ints out = rt.block_on(rt.spawn(std::move(work))).value();
    EXPECT_EQ(out, iota_vec(300));
}

TEST(CoreStreamMultiThread, ForEachConcurrentOverSpawnedTasks) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto total = std::make_shared<std::atomic<int>>(0);
    auto work = stream::iter(std::views::iota(1, 201)).for_each_concurrent(8, [total](int i) {
        return pollen::spawn(yield_now().map([i, total] { total->fetch_add(i); })).map([](auto) {});
    });
    EXPECT_TRUE(rt.block_on(rt.spawn(std::move(work))).is_ok());
    EXPECT_EQ(total->load(), 200 * 201 / 2);
}
