// White-box tests of a worker's run queue (runtime/detail/scheduler/local_queue.hpp):
// FIFO push/pop, a full queue refusing a push and handing its older half to
// the inject queue, a thief taking half, and an owner racing several
// thieves with no task lost or handed out twice. Meant to run under TSan as
// well as plain. The queue only moves pointers, so the "tasks" are
// addresses in an array that is never read through them.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include <pollen/runtime/detail/scheduler/local_queue.hpp>

using namespace pollen::detail;

namespace {

constexpr std::uint32_t kCap = LocalQueue::kCapacity;

/// Distinct, never dereferenced task addresses and their indices.
struct Tasks {
    explicit Tasks(std::size_t n) : slots(n) {}
    Header* at(std::size_t i) { return reinterpret_cast<Header*>(&slots[i]); }
    std::size_t index(Header* t) const {
        return std::size_t(reinterpret_cast<const std::max_align_t*>(t) - slots.data());
    }
    std::vector<std::max_align_t> slots;
};

TEST(LocalQueue, PopsInPushOrderThenNothing) {
    Tasks tasks(10);
    LocalQueue q;
    EXPECT_TRUE(q.is_empty());
    EXPECT_EQ(q.pop(), nullptr);
    for (std::size_t i = 0; i < 10; ++i) ASSERT_TRUE(q.try_push(tasks.at(i)));
    EXPECT_EQ(q.len(), 10u);
    for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(q.pop(), tasks.at(i));
    EXPECT_EQ(q.pop(), nullptr);
    EXPECT_TRUE(q.is_empty());
}

TEST(LocalQueue, WrapsAroundItsBufferManyTimes) {
    Tasks tasks(kCap);
    LocalQueue q;
    for (std::uint32_t round = 0; round < 10 * kCap; ++round) {
        ASSERT_TRUE(q.try_push(tasks.at(round % kCap)));
        ASSERT_TRUE(q.try_push(tasks.at((round + 1) % kCap)));
        EXPECT_EQ(q.pop(), tasks.at(round % kCap));
        EXPECT_EQ(q.pop(), tasks.at((round + 1) % kCap));
    }
    EXPECT_TRUE(q.is_empty());
}

TEST(LocalQueue, AFullQueueRefusesAPushAndGivesItsOlderHalfToOverflow) {
    Tasks tasks(kCap + 1);
    LocalQueue q;
    for (std::uint32_t i = 0; i < kCap; ++i) ASSERT_TRUE(q.try_push(tasks.at(i)));
    EXPECT_FALSE(q.try_push(tasks.at(kCap)));
    EXPECT_EQ(q.len(), kCap);

    std::vector<Header*> inject;
    ASSERT_TRUE(q.take_half_for_overflow(inject));
    ASSERT_EQ(inject.size(), kCap / 2);
    for (std::uint32_t i = 0; i < kCap / 2; ++i) EXPECT_EQ(inject[i], tasks.at(i)) << "the oldest, in order";
    EXPECT_EQ(q.len(), kCap / 2);
    EXPECT_TRUE(q.try_push(tasks.at(kCap))) << "room again";
    for (std::uint32_t i = kCap / 2; i <= kCap; ++i) EXPECT_EQ(q.pop(), tasks.at(i));
    EXPECT_EQ(q.pop(), nullptr);
}

TEST(LocalQueue, OverflowIsRefusedWhenTheQueueIsNotFull) {
    Tasks tasks(4);
    LocalQueue q;
    for (std::size_t i = 0; i < 4; ++i) ASSERT_TRUE(q.try_push(tasks.at(i)));
    std::vector<Header*> inject;
    EXPECT_FALSE(q.take_half_for_overflow(inject));
    EXPECT_TRUE(inject.empty());
    EXPECT_EQ(q.len(), 4u);
}

TEST(LocalQueue, AThiefTakesTheOlderHalfAndRunsTheNewestOfIt) {
    Tasks tasks(10);
    LocalQueue victim, thief;
    for (std::size_t i = 0; i < 10; ++i) ASSERT_TRUE(victim.try_push(tasks.at(i)));
    // Half of 10 rounded up: tasks 0..4; the last one is returned to run now.
    EXPECT_EQ(victim.steal_into(thief), tasks.at(4));
    EXPECT_EQ(thief.len(), 4u);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(thief.pop(), tasks.at(i));
    EXPECT_EQ(victim.len(), 5u);
    for (std::size_t i = 5; i < 10; ++i) EXPECT_EQ(victim.pop(), tasks.at(i));
}

TEST(LocalQueue, StealingOneTaskReturnsItWithoutQueueingIt) {
    Tasks tasks(1);
    LocalQueue victim, thief;
    ASSERT_TRUE(victim.try_push(tasks.at(0)));
    EXPECT_EQ(victim.steal_into(thief), tasks.at(0));
    EXPECT_TRUE(thief.is_empty());
    EXPECT_TRUE(victim.is_empty());
}

TEST(LocalQueue, NothingToStealFromAnEmptyQueueOrIntoABusyOne) {
    Tasks tasks(kCap);
    LocalQueue victim, thief;
    EXPECT_EQ(victim.steal_into(thief), nullptr);
    for (std::uint32_t i = 0; i < kCap / 2 + 1; ++i) ASSERT_TRUE(thief.try_push(tasks.at(i)));
    ASSERT_TRUE(victim.try_push(tasks.at(kCap - 1)));
    EXPECT_EQ(victim.steal_into(thief), nullptr) << "the thief has more than half a queue of its own";
    EXPECT_EQ(victim.len(), 1u);
}

/// The owner pushes (overflowing to its inject list when full) and pops
/// while several thieves steal into their own queues and drain them: every
/// task is handed out exactly once.
TEST(LocalQueue, RacingThievesLoseAndDuplicateNothing) {
    constexpr std::size_t kTasks = 200'000;
    constexpr int kThieves = 3;
    Tasks tasks(kTasks);
    std::vector<std::atomic<int>> seen(kTasks);
    LocalQueue owner;
    std::atomic<bool> done_pushing{false};

    auto mark = [&](Header* t) { seen[tasks.index(t)].fetch_add(1, std::memory_order_relaxed); };

    std::vector<std::thread> thieves;
    std::vector<LocalQueue> mine(kThieves);
    for (int k = 0; k < kThieves; ++k) {
        thieves.emplace_back([&, k] {
            for (;;) {
                bool finished = done_pushing.load(std::memory_order_acquire);
                Header* t = owner.steal_into(mine[k]);
                if (t) mark(t);
                while (Header* u = mine[k].pop()) mark(u);
                if (!t && finished && owner.is_empty()) return;
                if (!t) std::this_thread::yield();
            }
        });
    }

    std::vector<Header*> inject;
    std::size_t pushed = 0;
    while (pushed < kTasks) {
        for (int burst = 0; burst < 7 && pushed < kTasks; ++burst) {
            Header* t = tasks.at(pushed++);
            if (owner.try_push(t)) continue;
            if (!owner.take_half_for_overflow(inject)) {
                inject.push_back(t);  // a thief is busy: as the scheduler does
                continue;
            }
            ASSERT_TRUE(owner.try_push(t));
        }
        if (Header* t = owner.pop()) mark(t);
    }
    done_pushing.store(true, std::memory_order_release);
    while (Header* t = owner.pop()) mark(t);
    for (auto& th : thieves) th.join();
    for (Header* t : inject) mark(t);

    std::size_t lost = 0, twice = 0;
    for (auto& s : seen) {
        lost += s.load() == 0;
        twice += s.load() > 1;
    }
    EXPECT_EQ(lost, 0u);
    EXPECT_EQ(twice, 0u);
}

}  // namespace
