// watch::Receiver::wait_for (Tokio's): the current value is checked first
// (seen or not), later values as they come, the receiver is marked seen,
// and RecvError only after the predicate refused the last value.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

TEST(WatchWaitFor, TheCurrentValueCountsEvenWhenAlreadySeen) {
    auto [tx, rx] = watch::channel<int>(5);
    rx.mark_unchanged();
    auto fut = rx.wait_for([](const int& v) { return v > 3; });
    auto p = poll_once(fut);
    ASSERT_TRUE(p.is_ready());
    auto r = p.take();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r.value(), 5);
    EXPECT_FALSE(r.value().has_changed());
}

TEST(WatchWaitFor, AnUnseenCurrentValueIsReportedNew) {
    auto [tx, rx] = watch::channel<int>(0);
    ASSERT_TRUE(tx.send(7).is_ok());
    auto fut = rx.wait_for([](const int& v) { return v == 7; });
    auto p = poll_once(fut);
    ASSERT_TRUE(p.is_ready());
    auto r = p.take();
    ASSERT_TRUE(r.is_ok());
    EXPECT_TRUE(r.value().has_changed());
    EXPECT_FALSE(rx.has_changed().value());
}

TEST(WatchWaitFor, WaitsForAMatchingSendAndMarksItSeen) {
    auto [tx, rx] = watch::channel<int>(0);
    std::vector<int> seen;
    {
        auto fut = rx.wait_for([&seen](const int& v) {
            seen.push_back(v);
            return v >= 2;
        });
        CountingWaker cw;
        EXPECT_TRUE(poll_once(fut, cw).is_pending());
        ASSERT_TRUE(tx.send(1).is_ok());
        EXPECT_EQ(cw.wakes_total(), 1u);
        EXPECT_TRUE(poll_once(fut, cw).is_pending());
        ASSERT_TRUE(tx.send(2).is_ok());
        auto p = poll_once(fut, cw);
        ASSERT_TRUE(p.is_ready());
        auto r = p.take();
        ASSERT_TRUE(r.is_ok());
        EXPECT_EQ(*r.value(), 2);
        // As Tokio's: the wait for the change already marked it seen, so the
        // guard reports it as not new (only the first check can report new).
        EXPECT_FALSE(r.value().has_changed());
    }
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
    EXPECT_FALSE(rx.has_changed().value());  // marked seen
}

TEST(WatchWaitFor, ClosedChannelGivesTheLastValueIfItMatchesElseRecvError) {
    {
        auto [tx, rx] = watch::channel<std::string>("ready");
        tx = {};
        Runtime rt = Builder::new_current_thread().build();
        auto r = rt.block_on(rx.wait_for([](const std::string& s) { return s == "ready"; }));
        ASSERT_TRUE(r.is_ok());
        EXPECT_EQ(*r.value(), "ready");
    }
    {
        auto [tx, rx] = watch::channel<std::string>("starting");
        auto fut = rx.wait_for([](const std::string& s) { return s == "ready"; });
        EXPECT_TRUE(poll_once(fut).is_pending());
        ASSERT_TRUE(tx.send("still starting").is_ok());
        tx = {};
        auto p = poll_once(fut);
        ASSERT_TRUE(p.is_ready());
        EXPECT_TRUE(p.take().is_err());
    }
}

TEST(WatchWaitFor, AcrossTasks) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto [tx, rx] = watch::channel<int>(0);
    auto h = rt.spawn(future::lazy([tx = std::move(tx)]() mutable {
        for (int i = 1; i <= 100; ++i) (void)tx.send(i);
        return 0;
    }));
    auto r = rt.block_on(rx.wait_for([](const int& v) { return v == 100; }));
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r.value(), 100);
    (void)rt.block_on(std::move(h));
}

TEST(WatchWaitFor, AnEmptyReceiverFails) {
    watch::Receiver<int> empty;
    auto fut = empty.wait_for([](const int&) { return true; });
    auto p = poll_once(fut);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.take().is_err());
}
