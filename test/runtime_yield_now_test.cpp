// yield_now defers its wake until the scheduler has turned its driver
// (Tokio 1.24's runtime/defer.rs): a task that keeps yielding lets timers and
// I/O through after one or two yields, runs again behind the tasks already
// queued and those the turn woke, and is not starved by a worker that never
// runs dry. Outside a runtime it wakes at once. Time is the paused test clock.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/reactor/detail/reactor.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using net::UnixStream;
using time::Duration;
using namespace std::chrono_literals;

namespace {

using Flag = std::shared_ptr<std::atomic<bool>>;
Flag make_flag() { return std::make_shared<std::atomic<bool>>(false); }

/// A cap on yields that no passing test reaches: a regression fails the
/// expectation instead of spinning forever.
constexpr int kYieldCap = 100000;

/// Runs `first` on its first poll, then yields until `flag` is set; its
/// output is how many times it yielded.
class YieldUntil : public FutureExt<YieldUntil> {
public:
    using Output = int;
    YieldUntil(Flag flag, std::function<void()> first = {}) : flag_(std::move(flag)), first_(std::move(first)) {}
    Poll<int> poll(Context& cx) {
        if (first_) std::exchange(first_, nullptr)();
        for (;;) {
            if (!yield_) {
                if (flag_->load() || yields_ >= kYieldCap) return ready(yields_);
                yield_.emplace(yield_now());
                ++yields_;
            }
            if (yield_->poll(cx).is_pending()) return pending;
            yield_.reset();
        }
    }

private:
    Flag flag_;
    std::function<void()> first_;
    std::optional<YieldNow> yield_;
    int yields_ = 0;
};

/// Yields `n` times, logging `name` before each yield and once at the end.
class LogAndYield : public FutureExt<LogAndYield> {
public:
    using Output = void;
    LogAndYield(std::shared_ptr<std::vector<std::string>> log, std::string name, int n)
        : log_(std::move(log)), name_(std::move(name)), left_(n) {}
    Poll<void> poll(Context& cx) {
        for (;;) {
            if (!yield_) {
                log_->push_back(name_ + std::to_string(++step_));
                if (left_-- == 0) return ready();
                yield_.emplace(yield_now());
            }
            if (yield_->poll(cx).is_pending()) return pending;
            yield_.reset();
        }
    }

private:
    std::shared_ptr<std::vector<std::string>> log_;
    std::string name_;
    int left_;
    int step_ = 0;
    std::optional<YieldNow> yield_;
};

/// Sleeps `d`, then sets `flag` (and logs "T" when given a log).
class SleepThenSet : public FutureExt<SleepThenSet> {
public:
    using Output = void;
    SleepThenSet(Duration d, Flag flag, std::shared_ptr<std::vector<std::string>> log = nullptr)
        : d_(d), flag_(std::move(flag)), log_(std::move(log)) {}
    Poll<void> poll(Context& cx) {
        if (!sleep_) sleep_.emplace(time::sleep(d_));  // on the runtime's (paused) clock
        if (sleep_->poll(cx).is_pending()) return pending;
        if (log_) log_->push_back("T");
        flag_->store(true);
        return ready();
    }

private:
    Duration d_;
    std::optional<time::Sleep> sleep_;
    Flag flag_;
    std::shared_ptr<std::vector<std::string>> log_;
};

/// Waits until `stream` is readable, then sets `flag`; `polled` is set by its
/// first (Pending) poll, once its interest is registered.
class ReadableThenSet : public FutureExt<ReadableThenSet> {
public:
    using Output = void;
    ReadableThenSet(std::shared_ptr<UnixStream> stream, Flag flag, Flag polled)
        : stream_(std::move(stream)), ready_(stream_->readable()), flag_(std::move(flag)), polled_(std::move(polled)) {}
    Poll<void> poll(Context& cx) {
        auto p = ready_.poll(cx);
        polled_->store(true);
        if (p.is_pending()) return pending;
        flag_->store(true);
        return ready();
    }

private:
    std::shared_ptr<UnixStream> stream_;
    decltype(std::declval<UnixStream&>().readable()) ready_;
    Flag flag_, polled_;
};

/// Wakes itself on every poll until `stop`: it keeps its worker from ever
/// running dry. Gives up (and sets `gave_up`) after `limit` polls.
class Spinner : public FutureExt<Spinner> {
public:
    using Output = void;
    Spinner(Flag stop, Flag gave_up, std::size_t limit) : stop_(std::move(stop)), gave_up_(std::move(gave_up)), limit_(limit) {}
    Poll<void> poll(Context& cx) {
        if (stop_->load()) return ready();
        if (++polls_ > limit_) {
            gave_up_->store(true);
            return ready();
        }
        cx.waker().wake_by_ref();
        return pending;
    }

private:
    Flag stop_, gave_up_;
    std::size_t limit_;
    std::size_t polls_ = 0;
};

/// Moves the paused clock of the runtime this thread is in without firing
/// a timer: only the driver's next turn finds them due.
void advance_clock_quietly(Duration d) { detail::Reactor::current()->clock().advance(d); }

Runtime paused_current_thread() { return Builder::new_current_thread().enable_all().start_paused(true).build(); }

std::pair<std::shared_ptr<UnixStream>, std::shared_ptr<UnixStream>> stream_pair(Runtime& rt) {
    auto [a, b] = rt.block_on(future::lazy([] { return UnixStream::pair(); })).unwrap();
    return {std::make_shared<UnixStream>(std::move(a)), std::make_shared<UnixStream>(std::move(b))};
}

void write_one_byte(UnixStream& s) {
    std::byte x{1};
    ASSERT_EQ(s.try_write(std::span<const std::byte>(&x, 1)).unwrap(), 1u);
}

}  // namespace

// ---- a yielding task lets the driver through ----

TEST(YieldNow, ATaskYieldingOnADueTimerSeesItFireAfterAtMostTwoYields) {
    Runtime rt = paused_current_thread();
    Flag fired = make_flag();
    auto sleeper = rt.spawn(SleepThenSet(10ms, fired));
    rt.block_on(yield_now());  // the sleeper armed its timer; the clock did not move
    ASSERT_FALSE(fired->load());
    // The timer is due from now on, but only a driver turn fires it.
    auto yielder = rt.spawn(YieldUntil(fired, [] { advance_clock_quietly(10ms); }));
    int yields = rt.block_on(std::move(yielder)).unwrap();
    EXPECT_GE(yields, 1);
    EXPECT_LE(yields, 2);
    EXPECT_TRUE(rt.block_on(std::move(sleeper)).is_ok());
}

TEST(YieldNow, BlockOnsOwnFutureYieldingOnADueTimerSeesItFireAfterAtMostTwoYields) {
    Runtime rt = paused_current_thread();
    Flag fired = make_flag();
    rt.spawn(SleepThenSet(10ms, fired));
    rt.block_on(yield_now());
    int yields = rt.block_on(YieldUntil(fired, [] { advance_clock_quietly(10ms); }));
    EXPECT_GE(yields, 1);
    EXPECT_LE(yields, 2);  // block_on polls its future before the tasks the turn woke
}

TEST(YieldNow, ATaskYieldingOnASocketWrittenByAnotherTaskSeesItReadableAfterAtMostTwoYields) {
    Runtime rt = Builder::new_current_thread().enable_all().build();
    auto [a, b] = stream_pair(rt);
    Flag readable = make_flag(), polled = make_flag();
    auto reader = rt.spawn(ReadableThenSet(a, readable, polled));
    while (!polled->load()) rt.block_on(yield_now());
    auto writer = rt.spawn(future::lazy([b = b] { write_one_byte(*b); }));
    auto yielder = rt.spawn(YieldUntil(readable));
    int yields = rt.block_on(std::move(yielder)).unwrap();
    EXPECT_GE(yields, 1);
    EXPECT_LE(yields, 2);
    EXPECT_TRUE(rt.block_on(std::move(reader)).is_ok());
    EXPECT_TRUE(rt.block_on(std::move(writer)).is_ok());
}

TEST(YieldNow, OnAMultiThreadWorkerATaskYieldingOnASocketSeesItReadableAfterAtMostTwoYields) {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).enable_all().build();
    auto [a, b] = stream_pair(rt);
    Flag readable = make_flag(), polled = make_flag();
    auto reader = rt.spawn(ReadableThenSet(a, readable, polled));
    while (!polled->load()) std::this_thread::yield();
    // One task writes, then yields: the one worker must turn the driver
    // before it polls the yielder again.
    auto yielder = rt.spawn(YieldUntil(readable, [b = b] { write_one_byte(*b); }));
    int yields = rt.block_on(std::move(yielder)).unwrap();
    EXPECT_GE(yields, 1);
    EXPECT_LE(yields, 2);
    EXPECT_TRUE(rt.block_on(std::move(reader)).is_ok());
}

TEST(YieldNow, ALocalTaskYieldingOnADueTimerSeesItFireAfterAtMostTwoYields) {
    Runtime rt = paused_current_thread();
    LocalSet local;
    Flag fired = make_flag();
    local.spawn_local(SleepThenSet(10ms, fired));
    auto yielder = local.spawn_local(YieldUntil(fired, [] { advance_clock_quietly(10ms); }));
    int yields = local.block_on(rt, std::move(yielder)).unwrap();
    EXPECT_GE(yields, 1);
    EXPECT_LE(yields, 2);
}

// ---- where the yielder goes ----

TEST(YieldNow, GoesBehindTheQueuedTasksAndTheTasksTheDriverTurnWoke) {
    Runtime rt = paused_current_thread();
    auto log = std::make_shared<std::vector<std::string>>();
    Flag fired = make_flag();
    auto timer = rt.spawn(SleepThenSet(5ms, fired, log));
    rt.block_on(yield_now());  // armed
    rt.block_on(future::lazy([] { advance_clock_quietly(5ms); }));  // due, not fired
    auto a = rt.spawn(LogAndYield(log, "A", 1));
    auto b = rt.spawn(LogAndYield(log, "B", 0));
    auto c = rt.spawn(LogAndYield(log, "C", 0));
    EXPECT_TRUE(rt.block_on(std::move(a)).is_ok());
    // A yields behind B and C, and behind the timer the next turn fires.
    EXPECT_EQ(*log, (std::vector<std::string>{"A1", "B1", "C1", "T", "A2"}));
    EXPECT_TRUE(rt.block_on(std::move(timer)).is_ok());
}

TEST(YieldNow, TasksYieldingInTurnAlternate) {
    Runtime rt = Builder::new_current_thread().build();
    auto log = std::make_shared<std::vector<std::string>>();
    auto a = rt.spawn(LogAndYield(log, "A", 2));
    auto b = rt.spawn(LogAndYield(log, "B", 2));
    EXPECT_TRUE(rt.block_on(std::move(a)).is_ok());
    EXPECT_TRUE(rt.block_on(std::move(b)).is_ok());
    EXPECT_EQ(*log, (std::vector<std::string>{"A1", "B1", "A2", "B2", "A3", "B3"}));
}

// ---- a worker that never runs dry still runs its yielders ----

namespace {
void expect_yielder_not_starved(Runtime rt) {
    Flag stop = make_flag(), gave_up = make_flag();
    auto spinner = rt.spawn(Spinner(stop, gave_up, 10'000'000));
    // Five yields, each waiting for a driver turn while the spinner keeps the
    // queue full: the turn every 61 tasks (Tokio's event_interval) serves them.
    auto five = rt.spawn(LogAndYield(std::make_shared<std::vector<std::string>>(), "Y", 5));
    EXPECT_TRUE(rt.block_on(std::move(five)).is_ok());
    stop->store(true);
    EXPECT_TRUE(rt.block_on(std::move(spinner)).is_ok());
    EXPECT_FALSE(gave_up->load()) << "the yielder ran only once the spinner gave up";
}
}  // namespace

TEST(YieldNow, AYielderRunsOnACurrentThreadRuntimeThatNeverRunsDry) {
    expect_yielder_not_starved(Builder::new_current_thread().enable_all().build());
}

TEST(YieldNow, AYielderRunsOnAMultiThreadWorkerThatNeverRunsDry) {
    expect_yielder_not_starved(Builder::new_multi_thread().worker_threads(1).enable_all().build());
}

// ---- outside a runtime, and block_on ----

TEST(YieldNow, OutsideARuntimeWakesAtOnce) {
    test::CountingWaker cw;
    auto y = yield_now();
    EXPECT_TRUE(test::poll_once(y, cw.waker()).is_pending());
    EXPECT_EQ(cw.wake_by_refs(), 1u);
    EXPECT_EQ(cw.clones(), 0u);
    EXPECT_TRUE(test::poll_once(y, cw.waker()).is_ready());
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(cw.balanced());
}

TEST(YieldNow, UnderHandleEnterOnlyWakesAtOnce) {
    // Handle::enter makes the runtime current (spawn, timers) but runs none
    // of its loops, so no driver turn would ever wake a deferred yield.
    Runtime rt = Builder::new_current_thread().build();
    test::CountingWaker cw;
    {
        auto guard = rt.handle().enter();
        auto y = yield_now();
        EXPECT_TRUE(test::poll_once(y, cw.waker()).is_pending());
        EXPECT_EQ(cw.wake_by_refs(), 1u);
        EXPECT_TRUE(test::poll_once(y, cw.waker()).is_ready());
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(YieldNow, CompletesInBlockOnOfEveryFlavour) {
    std::vector<Runtime> rts;
    rts.push_back(Builder::new_current_thread().enable_all().build());
    rts.push_back(Builder::new_multi_thread().worker_threads(2).enable_all().build());
    rts.push_back(Builder::new_simulation(7).build());
    for (Runtime& rt : rts) {
        rt.block_on(yield_now());
        auto log = std::make_shared<std::vector<std::string>>();
        rt.block_on(LogAndYield(log, "R", 100));
        EXPECT_EQ(log->size(), 101u);
        auto h = rt.spawn(LogAndYield(log, "T", 100));
        EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
        EXPECT_EQ(log->size(), 202u);
    }
}

// ---- destruction with deferred wakes ----

TEST(YieldNow, DestroyingARuntimeWithYieldingTasksFreesThem) {
    for (int flavour = 0; flavour < 3; ++flavour) {
        auto token = std::make_shared<int>(0);
        {
            Runtime rt = flavour == 0   ? Builder::new_current_thread().build()
                         : flavour == 1 ? Builder::new_multi_thread().worker_threads(2).build()
                                        : Builder::new_simulation(3).build();
            for (int i = 0; i < 8; ++i)
                rt.spawn(YieldUntil(make_flag()).map([token](int) {}));  // yields until the cap
            rt.block_on(LogAndYield(std::make_shared<std::vector<std::string>>(), "R", 20));
        }
        EXPECT_EQ(token.use_count(), 1) << "flavour " << flavour;  // every task was destroyed
    }
}

// ---- a task waiting in the defer list counts as queued ----

TEST(YieldNow, ATaskAbortedWhileItsYieldIsDeferredIsCancelled) {
    for (int flavour = 0; flavour < 2; ++flavour) {
        Runtime rt = flavour == 0 ? Builder::new_current_thread().enable_all().build()
                                  : Builder::new_multi_thread().worker_threads(1).enable_all().build();
        auto started = make_flag();
        auto handle = rt.spawn(YieldUntil(make_flag(), [started] { started->store(true); }));
        while (!started->load()) rt.block_on(yield_now());  // the task yields, again and again
        handle.abort();
        auto r = rt.block_on(std::move(handle));
        ASSERT_TRUE(r.is_err()) << "flavour " << flavour;
        EXPECT_TRUE(r.error().is_cancelled()) << "flavour " << flavour;
    }
}

TEST(YieldNow, YieldersOnTwoWorkersFinishOrAreCancelledWhileAbortedFromAnotherThread) {
    // Deferred entries, steals, driver turns and aborts from a foreign
    // thread all at once (for TSan): every task ends exactly one way.
    Runtime rt = Builder::new_multi_thread().worker_threads(2).enable_all().build();
    std::vector<JoinHandle<void>> handles;
    for (int i = 0; i < 64; ++i)
        handles.push_back(rt.spawn(LogAndYield(std::make_shared<std::vector<std::string>>(), "t", 300)));
    std::vector<AbortHandle> aborts;
    for (int i = 0; i < 64; i += 2) aborts.push_back(handles[i].abort_handle());
    std::thread aborter([&] {
        for (AbortHandle& a : aborts) a.abort();
    });
    aborter.join();
    for (int i = 0; i < 64; ++i) {
        auto r = rt.block_on(std::move(handles[i]));
        if (i % 2 == 1) {
            EXPECT_TRUE(r.is_ok()) << i;
        } else if (r.is_err()) {
            EXPECT_TRUE(r.error().is_cancelled()) << i;
        }
    }
}

// ---- the simulation replays ----

namespace {
struct SimRun {
    std::vector<std::string> log;
    sim::Stats stats;
};
SimRun sim_yielders(std::uint64_t seed) {
    Runtime rt = Builder::new_simulation(seed).build();
    auto log = std::make_shared<std::vector<std::string>>();
    std::vector<JoinHandle<void>> hs;
    hs.push_back(rt.spawn(SleepThenSet(0ms, make_flag(), log)));
    for (int i = 0; i < 4; ++i) hs.push_back(rt.spawn(LogAndYield(log, std::string(1, char('a' + i)), 5)));
    for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
    return {*log, rt.simulation_stats()};
}
}  // namespace

TEST(YieldNow, ASimulationWithYieldersReplaysFromItsSeed) {
    for (std::uint64_t seed = 0; seed < 4; ++seed) {
        SimRun a = sim_yielders(seed), b = sim_yielders(seed);
        EXPECT_EQ(a.stats, b.stats) << a.stats.to_string() << " vs " << b.stats.to_string();
        EXPECT_EQ(a.log, b.log);
        EXPECT_EQ(a.log.size(), 1u + 4u * 6u);
    }
}
