// Task statistics (Builder::task_stats, task::Builder names): the figures of
// TaskSnapshot against workloads whose polls, wakes and waker clones are
// known, the runtime's histograms, the finished tasks kept, and dump().
// Durations are real time (steady_clock): only their order and their sums
// are asserted, never how long anything took.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>

using namespace pollen;
using namespace std::chrono_literals;

namespace {

Runtime stats_runtime(std::size_t retain_done = 256) {
    return Builder::new_current_thread().task_stats(true).task_stats_retain_done(retain_done).build();
}

std::optional<TaskSnapshot> find(const Runtime& rt, std::uint64_t id) {
    for (TaskSnapshot& s : rt.task_snapshots())
        if (s.id == id) return std::move(s);
    return std::nullopt;
}

/// Yields `n` times, then is Ready.
auto yielder(int n) {
    return future::poll_fn([n, left = n](Context& cx) mutable -> Poll<void> {
        (void)n;
        if (left == 0) return ready();
        --left;
        cx.waker().wake_by_ref();
        return pending;
    });
}

/// A waker slot that another task fires.
struct WakerSlot {
    std::mutex mu;
    std::optional<Waker> waker;
    bool fired = false;
};

/// Parks its waker in `slot` until the slot is fired.
auto wait_on(std::shared_ptr<WakerSlot> slot) {
    return future::poll_fn([slot](Context& cx) -> Poll<void> {
        std::lock_guard lock(slot->mu);
        if (slot->fired) return ready();
        slot->waker = cx.waker();  // one clone
        return pending;
    });
}

/// Fires the slot now: wakes the parked waker by value (a wake and a drop).
void fire_now(const std::shared_ptr<WakerSlot>& slot) {
    std::optional<Waker> w;
    {
        std::lock_guard lock(slot->mu);
        slot->fired = true;
        w = std::move(slot->waker);
        slot->waker.reset();
    }
    if (w) std::move(*w).wake();
}

/// Fires the slot from a task.
auto fire(std::shared_ptr<WakerSlot> slot) {
    return future::lazy([slot] { fire_now(slot); });
}

/// Spins until the steady clock moved by `d` (busy time that the same clock
/// must see), then is Ready.
auto spin_for(std::chrono::nanoseconds d) {
    return future::lazy([d] {
        auto until = std::chrono::steady_clock::now() + d;
        while (std::chrono::steady_clock::now() < until) {
        }
    });
}

}  // namespace

TEST(TaskStats, AYieldingTaskCountsItsPollsAndSelfWakes) {
    Runtime rt = stats_runtime();
    auto h = rt.spawn(yielder(5));
    std::uint64_t id = h.id();
    ASSERT_TRUE(rt.block_on(std::move(h)).is_ok());
    auto s = find(rt, id);
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->has_stats);
    EXPECT_EQ(s->state, TaskState::Done);
    EXPECT_EQ(s->polls, 6u);
    EXPECT_EQ(s->wakes, 5u);
    EXPECT_EQ(s->self_wakes, 5u);
    EXPECT_EQ(s->waker_clones, 0u);  // wake_by_ref on the borrowed waker clones nothing
    EXPECT_EQ(s->poll_times.total(), 6u);
    EXPECT_TRUE(s->done && s->last_wake && s->first_poll);
}

TEST(TaskStats, AWakeFromAnotherTaskIsAWakeNotASelfWake) {
    Runtime rt = stats_runtime();
    auto slot = std::make_shared<WakerSlot>();
    auto waiter = rt.spawn(wait_on(slot));
    std::uint64_t waiter_id = waiter.id();
    auto firer = rt.spawn(fire(slot));
    std::uint64_t firer_id = firer.id();
    ASSERT_TRUE(rt.block_on(std::move(waiter)).is_ok());
    ASSERT_TRUE(rt.block_on(std::move(firer)).is_ok());

    auto w = find(rt, waiter_id);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->polls, 2u);
    EXPECT_EQ(w->wakes, 1u);
    EXPECT_EQ(w->self_wakes, 0u);
    EXPECT_EQ(w->waker_clones, 1u);
    EXPECT_EQ(w->waker_drops, 1u);  // the wake by value consumed the clone
    auto f = find(rt, firer_id);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->polls, 1u);
    EXPECT_EQ(f->wakes, 0u);
}

// Without lost-waker detection a wake by value from outside the poll is one
// count for the wake and the drop, and one transition: the figures are the same.
TEST(TaskStats, AWakeByValueCountsAWakeAndADropWithOrWithoutLostWakerDetection) {
    for (bool detect : {false, true}) {
        SCOPED_TRACE(detect ? "detecting lost wakers" : "not detecting lost wakers");
        Runtime rt = Builder::new_multi_thread().worker_threads(2).task_stats(true).detect_lost_wakers(detect).build();
        auto slot = std::make_shared<WakerSlot>();
        auto waiter = rt.spawn(wait_on(slot));
        std::uint64_t waiter_id = waiter.id();
        // Until the waiter parked its waker, firing would leave nothing to wake.
        while (!rt.block_on(future::lazy([slot] {
            std::lock_guard lock(slot->mu);
            return slot->waker.has_value();
        }))) {
        }
        std::thread([slot] { fire_now(slot); }).join();  // from outside any poll
        ASSERT_TRUE(rt.block_on(std::move(waiter)).is_ok());

        auto w = find(rt, waiter_id);
        ASSERT_TRUE(w);
        EXPECT_EQ(w->state, TaskState::Done);
        EXPECT_EQ(w->polls, 2u);
        EXPECT_EQ(w->wakes, 1u);
        EXPECT_EQ(w->self_wakes, 0u);
        EXPECT_EQ(w->waker_clones, 1u);
        EXPECT_EQ(w->waker_drops, 1u);
        EXPECT_TRUE(w->last_wake);
        EXPECT_GE(w->first_poll, w->created);
    }
}

// The last reference can be a waker's: its wake by value finds the task
// finished, and frees it.
TEST(TaskStats, AWakeByValueOfAFinishedTaskFreesIt) {
    Runtime rt = Builder::new_current_thread().task_stats(true).detect_lost_wakers(false).build();
    auto h = rt.spawn(future::poll_fn([](Context& cx) -> Poll<Waker> { return ready(cx.waker()); }));
    std::uint64_t id = h.id();
    Waker late = rt.block_on(std::move(h)).value();
    std::move(late).wake();
    auto s = find(rt, id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->state, TaskState::Done);
    EXPECT_EQ(s->polls, 1u);
    EXPECT_EQ(s->waker_clones, 1u);
}

TEST(TaskStats, CountsEveryCloneAndDropOfTheWaker) {
    Runtime rt = stats_runtime();
    bool first = true;
    auto h = rt.spawn(future::poll_fn([&first](Context& cx) -> Poll<void> {
        if (!first) return ready();
        first = false;
        Waker a = cx.waker();  // clone 1
        Waker b = a;           // clone 2
        (void)b;               // b is dropped at the end of the poll
        std::move(a).wake();   // a wake by value: a drop too, and a self-wake
        return pending;
    }));
    std::uint64_t id = h.id();
    ASSERT_TRUE(rt.block_on(std::move(h)).is_ok());
    auto s = find(rt, id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->polls, 2u);
    EXPECT_EQ(s->waker_clones, 2u);
    EXPECT_EQ(s->waker_drops, 2u);
    EXPECT_EQ(s->wakes, 1u);
    EXPECT_EQ(s->self_wakes, 1u);
}

TEST(TaskStats, BusyScheduledAndIdleAddUpToTheTasksLife) {
    Runtime rt = stats_runtime();
    // The current-thread runtime runs its queue in order: `second` was
    // runnable from its spawn on and waited while `first` spun.
    auto first = rt.spawn(spin_for(200us));
    auto second = rt.spawn(future::ready(1));
    std::uint64_t first_id = first.id(), second_id = second.id();
    ASSERT_TRUE(rt.block_on(std::move(first)).is_ok());
    ASSERT_TRUE(rt.block_on(std::move(second)).is_ok());
    auto a = find(rt, first_id), b = find(rt, second_id);
    ASSERT_TRUE(a && b);
    EXPECT_GE(a->busy, 200us);  // the poll outlasted the spin, on the same clock
    EXPECT_GE(b->scheduled, a->busy);
    EXPECT_EQ(a->busy + a->scheduled + a->idle, a->total);
    EXPECT_EQ(b->busy + b->scheduled + b->idle, b->total);
    ASSERT_TRUE(a->first_poll && a->last_poll_started && a->last_poll_ended && a->done);
    EXPECT_LE(a->created, *a->first_poll);
    EXPECT_LE(*a->first_poll, *a->last_poll_started);
    EXPECT_LT(*a->last_poll_started, *a->last_poll_ended);
    EXPECT_LE(*a->last_poll_ended, *a->done);
    EXPECT_LE(*a->last_poll_ended, *b->first_poll);
}

TEST(TaskStats, HistogramsCountEveryPoll) {
    Runtime rt = stats_runtime();
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < 10; ++i) hs.push_back(rt.spawn(yielder(i)));
    for (auto& h : hs) ASSERT_TRUE(rt.block_on(std::move(h)).is_ok());
    RuntimeMetrics m = rt.metrics();
    EXPECT_TRUE(m.task_stats);
    EXPECT_EQ(m.polls, 10u + 45u);  // i + 1 polls for yielder(i)
    EXPECT_EQ(m.poll_time_histogram.total(), m.polls);
    EXPECT_EQ(m.scheduled_delay_histogram.total(), m.polls);
}

TEST(TaskStats, StatesOfLiveTasks) {
    Runtime rt = stats_runtime();
    auto slot = std::make_shared<WakerSlot>();
    auto parked = rt.spawn(wait_on(slot));
    // Nothing polled yet: scheduled, never polled.
    auto before = find(rt, parked.id());
    ASSERT_TRUE(before);
    EXPECT_EQ(before->state, TaskState::Scheduled);
    EXPECT_EQ(before->polls, 0u);
    EXPECT_FALSE(before->first_poll);

    std::uint64_t self_id = 0;
    std::optional<TaskState> seen_from_inside;
    auto probe = rt.spawn(future::lazy([&] {
        if (auto me = find(rt, self_id)) seen_from_inside = me->state;
    }));
    self_id = probe.id();
    ASSERT_TRUE(rt.block_on(std::move(probe)).is_ok());
    EXPECT_EQ(seen_from_inside, TaskState::Running);
    auto after = find(rt, parked.id());
    ASSERT_TRUE(after);
    EXPECT_EQ(after->state, TaskState::Idle);  // polled once, waiting for its slot
    EXPECT_EQ(after->polls, 1u);

    parked.abort();
    (void)rt.block_on(std::move(parked));
    EXPECT_EQ(find(rt, after->id)->state, TaskState::Done);
}

TEST(TaskStats, KeepsOnlyTheLastFinishedTasks) {
    Runtime rt = stats_runtime(/*retain_done=*/2);
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 5; ++i) {
        auto h = rt.spawn(future::ready(i));
        ids.push_back(h.id());
        ASSERT_TRUE(rt.block_on(std::move(h)).is_ok());
    }
    std::vector<std::uint64_t> done;
    for (const TaskSnapshot& s : rt.task_snapshots())
        if (s.state == TaskState::Done) done.push_back(s.id);
    EXPECT_EQ(done, (std::vector<std::uint64_t>{ids[3], ids[4]}));
}

TEST(TaskStats, OffByDefaultAndANamedTaskCarriesStatisticsAnyway) {
    Runtime rt = Builder::new_current_thread().task_stats(false).build();
    auto plain = rt.spawn(future::pending<void>());
    auto named = task::Builder().name("accept loop").spawn_on(yielder(2), rt.handle());
    ASSERT_TRUE(rt.block_on(std::move(named)).is_ok());
    auto p = find(rt, plain.id());
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->has_stats);
    EXPECT_EQ(p->polls, 0u);
    EXPECT_TRUE(p->name.empty());
    EXPECT_NE(std::string(p->spawned_at.file_name()).find("runtime_task_stats_test.cpp"), std::string::npos);
    RuntimeMetrics m = rt.metrics();
    EXPECT_FALSE(m.task_stats);
    EXPECT_EQ(m.poll_time_histogram.total(), 0u);
    EXPECT_EQ(rt.dump().find(" polls="), std::string::npos);
}

TEST(TaskStats, ANamedTaskShowsItsNameAndFigures) {
    Runtime rt = Builder::new_current_thread().task_stats(false).build();
    auto slot = std::make_shared<WakerSlot>();
    auto named = task::Builder().name("accept loop").spawn_on(wait_on(slot), rt.handle());
    rt.block_on(yielder(1));  // lets it poll once
    auto s = find(rt, named.id());
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->has_stats);
    EXPECT_EQ(s->name, "accept loop");
    EXPECT_EQ(s->polls, 1u);
    EXPECT_EQ(s->waker_clones, 1u);
    std::string dump = rt.dump();
    EXPECT_NE(dump.find("name=\"accept loop\" polls=1 "), std::string::npos) << dump;
    EXPECT_NE(dump.find(" waker_clones=1 "), std::string::npos) << dump;
}

TEST(TaskStats, TaskBuilderSpawnsInsideTheRuntimeAndRefusesOutside) {
    Runtime rt = stats_runtime();
    EXPECT_THROW((void)task::Builder().name("x").spawn(future::ready(1)), std::logic_error);
    std::uint64_t id = rt.block_on(future::lazy([] { return task::Builder().name("inner").spawn(future::ready(2)).id(); }));
    auto s = find(rt, id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->name, "inner");
}

TEST(TaskStats, LostWakerDetectionStillWorksWithStatistics) {
    Runtime rt = Builder::new_current_thread().task_stats(true).detect_lost_wakers(true).build();
    auto lost = rt.spawn(future::poll_fn([](Context&) -> Poll<void> { return pending; }));
    rt.block_on(yielder(1));
    EXPECT_EQ(rt.metrics().lost_waker_count, 1u);
    auto slot = std::make_shared<WakerSlot>();
    auto kept = rt.spawn(wait_on(slot));  // keeps a clone: not lost
    rt.block_on(yielder(1));
    EXPECT_EQ(rt.metrics().lost_waker_count, 1u);
}

TEST(TaskStats, MultiThreadWakesFromOtherThreadsAreCounted) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).task_stats(true).build();
    constexpr int kRounds = 200;
    std::atomic<int> rounds{0};
    // One task parks, the other wakes it, kRounds times, on two workers.
    struct State {
        std::mutex mu;
        std::optional<Waker> waker;
        int tokens = 0;
    };
    auto st = std::make_shared<State>();
    auto consumer = rt.spawn(future::poll_fn([st, &rounds](Context& cx) -> Poll<void> {
        std::lock_guard lock(st->mu);
        while (st->tokens > 0) {
            --st->tokens;
            ++rounds;
        }
        if (rounds == kRounds) return ready();
        st->waker = cx.waker();
        return pending;
    }));
    std::uint64_t id = consumer.id();
    auto producer = rt.spawn(future::poll_fn([st, n = 0](Context& cx) mutable -> Poll<void> {
        std::optional<Waker> w;
        {
            std::lock_guard lock(st->mu);
            ++st->tokens;
            w = std::move(st->waker);
            st->waker.reset();
        }
        if (w) std::move(*w).wake();
        if (++n == kRounds) return ready();
        cx.waker().wake_by_ref();
        return pending;
    }));
    ASSERT_TRUE(rt.block_on(std::move(producer)).is_ok());
    ASSERT_TRUE(rt.block_on(std::move(consumer)).is_ok());
    auto s = find(rt, id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->state, TaskState::Done);
    EXPECT_EQ(s->polls, s->wakes + 1);  // every poll but the first followed a wake...
    EXPECT_EQ(s->self_wakes, 0u);
    EXPECT_EQ(s->waker_clones, s->waker_drops);
    EXPECT_EQ(s->poll_times.total(), s->polls);
    RuntimeMetrics m = rt.metrics();
    EXPECT_EQ(m.poll_time_histogram.total(), m.polls);
}

TEST(TaskStats, AJoinHandleMayOutliveTheRuntimeAndItsStatistics) {
    std::optional<JoinHandle<int>> h;
    {
        Runtime rt = stats_runtime();
        h = rt.spawn(future::ready(7));
        rt.block_on(yielder(1));
    }
    EXPECT_TRUE(h->is_finished());
}

TEST(TaskStats, FinishedTasksOfEveryWorkerAreKeptUpToTheLimitLatestFirst) {
    // Each thread keeps its finished tasks apart; a snapshot merges them and
    // keeps the last `retain_done` by when they finished.
    Runtime rt = Builder::new_multi_thread().worker_threads(2).task_stats(true).task_stats_retain_done(8).build();
    std::vector<JoinHandle<void>> handles;
    for (int i = 0; i < 100; ++i) handles.push_back(rt.spawn(yielder(2)));
    for (auto& h : handles) ASSERT_TRUE(rt.block_on(std::move(h)).is_ok());
    auto last = rt.spawn(yielder(1));
    std::uint64_t last_id = last.id();
    ASSERT_TRUE(rt.block_on(std::move(last)).is_ok());
    std::vector<TaskSnapshot> done;
    for (TaskSnapshot& s : rt.task_snapshots())
        if (s.state == TaskState::Done) done.push_back(std::move(s));
    ASSERT_EQ(done.size(), 8u);
    EXPECT_TRUE(std::any_of(done.begin(), done.end(), [&](const TaskSnapshot& s) { return s.id == last_id; }));
    for (const TaskSnapshot& s : done) {
        EXPECT_TRUE(s.has_stats);
        EXPECT_EQ(s.polls, s.id == last_id ? 2u : 3u);
        EXPECT_EQ(s.self_wakes, s.polls - 1);
        EXPECT_EQ(s.poll_times.total(), s.polls);
        ASSERT_TRUE(s.done);
    }
}

TEST(TaskStats, AFinishedTaskKeepsItsNameAfterItsMemoryIsGone) {
    // The finished list holds a copy of the figures, not the task's block.
    Runtime rt = stats_runtime();
    std::string name = "a name longer than a short string's buffer";
    auto h = task::Builder().name(name).spawn_on(yielder(1), rt.handle());
    std::uint64_t id = h.id();
    ASSERT_TRUE(rt.block_on(std::move(h)).is_ok());  // the handle's reference, the last one, goes here
    auto s = find(rt, id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->state, TaskState::Done);
    EXPECT_EQ(s->name, name);
    EXPECT_EQ(s->polls, 2u);
    EXPECT_EQ(s->wakes, 1u);
}

TEST(TaskStats, ATaskAbortedBeforeItsFirstPollIsDoneWithNoPolls) {
    Runtime rt = stats_runtime();
    // Spawned from outside block_on: nothing polls it before the abort.
    auto h = rt.spawn(yielder(3));
    std::uint64_t id = h.id();
    h.abort();
    auto joined = rt.block_on(std::move(h));
    ASSERT_FALSE(joined.is_ok());
    EXPECT_TRUE(joined.error().is_cancelled());
    auto s = find(rt, id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->state, TaskState::Done);
    EXPECT_TRUE(s->has_stats);
    EXPECT_EQ(s->polls, 0u);
    EXPECT_FALSE(s->first_poll);
    EXPECT_EQ(s->wakes, 0u);
    EXPECT_EQ(s->waker_clones, 0u);
    EXPECT_EQ(s->poll_times.total(), 0u);
    EXPECT_EQ(s->busy, TaskSnapshot::Duration(0));
    ASSERT_TRUE(s->done);
    EXPECT_LE(s->created, *s->done);
}

TEST(TaskStats, BackToBackPollsOnWorkersKeepEveryTasksTimesConsistent) {
    // Workers start each poll at the end of the one before (one clock read
    // a poll): every task's times must still add up and stay in order.
    Runtime rt = Builder::new_multi_thread().worker_threads(2).task_stats(true).build();
    std::vector<JoinHandle<void>> hs;
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 40; ++i) {
        hs.push_back(rt.spawn(yielder(i % 7)));
        ids.push_back(hs.back().id());
    }
    for (auto& h : hs) ASSERT_TRUE(rt.block_on(std::move(h)).is_ok());
    for (int i = 0; i < 40; ++i) {
        auto s = find(rt, ids[std::size_t(i)]);
        ASSERT_TRUE(s) << i;
        EXPECT_EQ(s->state, TaskState::Done);
        EXPECT_EQ(s->polls, std::uint64_t(i % 7 + 1));
        EXPECT_EQ(s->self_wakes, std::uint64_t(i % 7));
        EXPECT_EQ(s->poll_times.total(), s->polls);
        EXPECT_EQ(s->busy + s->scheduled + s->idle, s->total);
        ASSERT_TRUE(s->first_poll && s->last_poll_started && s->last_poll_ended && s->done);
        EXPECT_LE(s->created, *s->first_poll);
        EXPECT_LE(*s->first_poll, *s->last_poll_started);
        EXPECT_LE(*s->last_poll_started, *s->last_poll_ended);
        EXPECT_LE(*s->last_poll_ended, *s->done);
    }
    RuntimeMetrics m = rt.metrics();
    EXPECT_EQ(m.poll_time_histogram.total(), m.polls);
    EXPECT_EQ(m.scheduled_delay_histogram.total(), m.polls);
}
