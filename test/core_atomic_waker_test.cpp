// AtomicWaker: register/wake from any thread without losing a wake-up.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/lock_step.hpp"
#include "support/sanitizer.hpp"

using namespace pollen;
using pollen::test::CountingWaker;

TEST(CoreAtomicWaker, WakeWakesTheRegisteredWakerOnce) {
    CountingWaker cw;
    {
        AtomicWaker slot;
        slot.register_waker(cw.waker());
        EXPECT_EQ(cw.live(), 1);  // the slot holds a clone
        slot.wake();
        EXPECT_EQ(cw.wakes(), 1u);
        slot.wake();  // the slot is empty now
        EXPECT_EQ(cw.wakes_total(), 1u);
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreAtomicWaker, WakeBeforeRegisterIsANoOp) {
    CountingWaker cw;
    AtomicWaker slot;
    slot.wake();
    slot.register_waker(cw.waker());
    EXPECT_EQ(cw.wakes_total(), 0u);
    EXPECT_EQ(cw.live(), 1);
    slot.wake();
    EXPECT_EQ(cw.wakes(), 1u);
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreAtomicWaker, ReRegisteringTheSameTaskDoesNotClone) {
    CountingWaker cw;
    {
        AtomicWaker slot;
        Waker w = cw.waker();
        slot.register_waker(w);
        slot.register_waker(w);
        slot.register_waker(w);
        EXPECT_EQ(cw.clones(), 1u);
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreAtomicWaker, RegisteringAnotherTaskReplacesAndDropsTheOld) {
    CountingWaker first, second;
    {
        AtomicWaker slot;
        slot.register_waker(first.waker());
        slot.register_waker(second.waker());
        EXPECT_TRUE(first.balanced());
        slot.wake();
        EXPECT_EQ(second.wakes(), 1u);
        EXPECT_EQ(first.wakes_total(), 0u);
    }
    EXPECT_TRUE(second.balanced());
}

TEST(CoreAtomicWaker, TakeHandsTheWakerOut) {
    CountingWaker cw;
    AtomicWaker slot;
    EXPECT_FALSE(slot.take().has_value());
    slot.register_waker(cw.waker());
    auto w = slot.take();
    ASSERT_TRUE(w.has_value());
    EXPECT_FALSE(slot.take().has_value());
    std::move(*w).wake();
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreAtomicWaker, DestroyingTheSlotDropsTheWaker) {
    CountingWaker cw;
    { AtomicWaker slot; slot.register_waker(cw.waker()); }
    EXPECT_TRUE(cw.balanced());
}

// The future's pattern (check, register, check) against a waker on another
// thread, 100k times. Each round the producer sets the flag, calls wake(),
// then reports the round finished. Whenever the consumer's re-check after
// registering still saw no flag (it would return Pending), the producer's
// wake() of that round must have reached its waker: a round where it did not
// is a lost wake-up (the task would sleep forever).
TEST(CoreAtomicWaker, ConcurrentWakeIsNeverLost) {
    const int kRounds = pollen::test::stress_scaled(100'000);
    CountingWaker cw;
    AtomicWaker slot;
    std::atomic<int> round{-1};      // the round the consumer has started
    std::atomic<int> flag{-1};       // the round whose condition is true
    std::atomic<int> finished{-1};   // the round whose wake() has returned
    int pending_rounds = 0;
    int lost = 0;

    std::thread producer([&] {
        for (int r = 0; r < kRounds; ++r) {
            pollen::test::wait_at_least(round, r);
            flag.store(r, std::memory_order_release);
            slot.wake();
            pollen::test::publish(finished, r);
        }
    });

    {
        Waker w = cw.waker();
        for (int r = 0; r < kRounds; ++r) {
            std::size_t wakes_before = cw.wakes_total();
            pollen::test::publish(round, r);
            bool ready = flag.load(std::memory_order_acquire) == r;
            if (!ready) {
                slot.register_waker(w);
                ready = flag.load(std::memory_order_acquire) == r;
            }
            pollen::test::wait_at_least(finished, r);
            if (!ready) {
                ++pending_rounds;
                if (cw.wakes_total() == wakes_before) ++lost;
            }
        }
        producer.join();
        (void)slot.take();
    }
    RecordProperty("pending_rounds", pending_rounds);  // how much racing this run saw
    EXPECT_EQ(lost, 0) << "of " << pending_rounds << " pending rounds";
    EXPECT_TRUE(cw.balanced());
}
