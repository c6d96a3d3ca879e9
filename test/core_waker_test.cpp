// The Waker contract: Rust's four-entry vtable behind an RAII handle.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;

TEST(CoreWaker, CopyClonesAndDestructionDrops) {
    CountingWaker cw;
    {
        Waker a = cw.waker();
        Waker b = a;
        Waker c(b);
        EXPECT_EQ(cw.clones(), 2u);
        EXPECT_EQ(cw.live(), 3);
    }
    EXPECT_EQ(cw.drops(), 3u);
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreWaker, MoveTransfersWithoutCloneOrDrop) {
    CountingWaker cw;
    {
        Waker a = cw.waker();
        Waker b = std::move(a);
        EXPECT_EQ(cw.clones(), 0u);
        EXPECT_EQ(cw.drops(), 0u);
        a.wake_by_ref();  // a moved-from Waker is the no-op waker
        EXPECT_EQ(cw.wakes_total(), 0u);
    }
    EXPECT_EQ(cw.drops(), 1u);
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreWaker, WakeConsumesTheReference) {
    CountingWaker cw;
    Waker w = cw.waker();
    std::move(w).wake();
    EXPECT_EQ(cw.wakes(), 1u);
    EXPECT_EQ(cw.drops(), 0u);
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreWaker, WakeByRefKeepsTheReference) {
    CountingWaker cw;
    {
        Waker w = cw.waker();
        w.wake_by_ref();
        w.wake_by_ref();
        EXPECT_EQ(cw.wake_by_refs(), 2u);
        EXPECT_EQ(cw.live(), 1);
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreWaker, CopyAssignOverASameTaskWakerSkipsTheClone) {
    CountingWaker cw;
    {
        Waker a = cw.waker();
        Waker b = cw.waker();
        ASSERT_TRUE(a.will_wake(b));
        a = b;
        EXPECT_EQ(cw.clones(), 0u);
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreWaker, CopyAssignOverAnotherTaskDropsTheOldOne) {
    CountingWaker first, second;
    {
        Waker a = first.waker();
        Waker b = second.waker();
        EXPECT_FALSE(a.will_wake(b));
        a = b;
        EXPECT_EQ(first.drops(), 1u);
        EXPECT_EQ(second.clones(), 1u);
        EXPECT_TRUE(a.will_wake(b));
    }
    EXPECT_TRUE(first.balanced());
    EXPECT_TRUE(second.balanced());
}

TEST(CoreWaker, IntoRawGivesUpOwnership) {
    CountingWaker cw;
    Waker w = cw.waker();
    RawWaker raw = std::move(w).into_raw();
    EXPECT_EQ(cw.live(), 1);
    Waker back(raw);  // takes the reference over again
    back.wake_by_ref();
    EXPECT_EQ(cw.wake_by_refs(), 1u);
}

TEST(CoreWaker, NoopWakerDoesNothingAndWillWakeItself) {
    Waker w = noop_waker();
    Waker c = w;
    c.wake_by_ref();
    std::move(c).wake();
    EXPECT_TRUE(w.will_wake(noop_waker_ref()));
}

namespace {
struct Flag {
    std::atomic<int> wakes{0};
    void wake() { wakes.fetch_add(1); }
};
}  // namespace

TEST(CoreWaker, WakerFromSharedObjectHoldsAReferencePerClone) {
    auto flag = std::make_shared<Flag>();
    {
        Waker w = waker_from(flag);
        EXPECT_EQ(flag.use_count(), 2);
        Waker c = w;
        EXPECT_EQ(flag.use_count(), 3);
        EXPECT_FALSE(c.will_wake(w));  // each clone is its own allocation
        c.wake_by_ref();
        std::move(c).wake();
        EXPECT_EQ(flag->wakes.load(), 2);
        EXPECT_EQ(flag.use_count(), 2);  // wake released c's reference
    }
    EXPECT_EQ(flag.use_count(), 1);
}

TEST(CoreWaker, WakerFromKeepsTheObjectAliveAfterTheOwnerLetsGo) {
    auto flag = std::make_shared<Flag>();
    std::weak_ptr<Flag> weak = flag;
    Waker w = waker_from(std::move(flag));
    EXPECT_FALSE(weak.expired());
    std::move(w).wake();
    EXPECT_TRUE(weak.expired());
}

TEST(CoreWaker, ContextHandsOutTheWakerItWasBuiltWith) {
    CountingWaker cw;
    Waker w = cw.waker();
    Context cx = Context::from_waker(w);
    EXPECT_TRUE(cx.waker().will_wake(w));
    cx.waker().wake_by_ref();
    EXPECT_EQ(cw.wake_by_refs(), 1u);
}

TEST(CoreCountingWaker, CountsFromManyThreads) {
    CountingWaker cw;
    Waker w = cw.waker();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                Waker c = w;
                c.wake_by_ref();
                std::move(c).wake();
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(cw.clones(), 4000u);
    EXPECT_EQ(cw.wakes_total(), 8000u);
    EXPECT_EQ(cw.live(), 1);
}
