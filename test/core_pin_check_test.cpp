// The debug pin check: a pollen future moved after its first poll aborts
// with a message that says what happened (Rust's Pin, checked at run time).
#include <gtest/gtest.h>

#include <cstring>
#include <new>
#include <utility>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::poll_once;

#if POLLEN_PIN_CHECKS

namespace {
void poll_after_bitwise_relocation() {
    using F = decltype(future::pending<int>().fuse());
    alignas(F) unsigned char first[sizeof(F)];
    alignas(F) unsigned char second[sizeof(F)];
    F* f = new (first) F(future::pending<int>().fuse());
    (void)poll_once(*f);
    std::memcpy(second, first, sizeof(F));
    (void)poll_once(*std::launder(reinterpret_cast<F*>(second)));
}
}  // namespace

TEST(CorePinCheckDeathTest, MovingAPolledMapAborts) {
    EXPECT_DEATH(
        {
            auto f = future::pending<int>().map([](int v) { return v; });
            (void)poll_once(f);
            auto moved = std::move(f);
            (void)moved;
        },
        "moved after its first poll");
}

TEST(CorePinCheckDeathTest, MovingAPolledJoinAborts) {
    EXPECT_DEATH(
        {
            auto f = pollen::join(future::pending<int>(), future::ready(1));
            (void)poll_once(f);
            auto moved = std::move(f);
            (void)moved;
        },
        "moved after its first poll");
}

TEST(CorePinCheckDeathTest, MovingAThenRunningItsSecondFutureAborts) {
    // It holds the second future now: the move must stop, not move a half-run Then.
    EXPECT_DEATH(
        {
            auto f = future::ready(1).then([](int) { return future::pending<int>(); });
            (void)poll_once(f);
            auto moved = std::move(f);
            (void)moved;
        },
        "a future was moved after its first poll");
}

TEST(CorePinCheckDeathTest, PollingARelocatedCopyAborts) {
    // A bitwise relocation skips the move constructor; the next poll notices.
    EXPECT_DEATH(poll_after_bitwise_relocation(), "relocated after its first poll");
}

#endif

TEST(CorePinCheck, MovingBeforeTheFirstPollIsFine) {
    auto f = future::ready(1).map([](int v) { return v + 1; });
    auto moved = std::move(f);
    EXPECT_EQ(poll_once(moved).take(), 2);
}

TEST(CorePinCheck, MovingOrCopyingAnAndThenBeforeTheFirstPollIsFine) {
    using R = Result<int, int>;
    auto f = future::ready(R(Ok(1))).and_then([](int v) { return future::ready(R(Ok(v + 1))); });
    auto copy = f;
    auto moved = std::move(f);
    EXPECT_EQ(*poll_once(moved).take(), 2);
    EXPECT_EQ(*poll_once(copy).take(), 2);
}
