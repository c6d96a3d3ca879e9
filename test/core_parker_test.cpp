// White-box tests of detail::ThreadParker (core/detail/parker.hpp): an
// unpark made before the park is kept, so the park returns at once; a park
// returns only for an unpark (checked by two threads that hand a counter
// back and forth many times, each sleeping on its own parker); and a Waker
// made from a shared parker unparks it.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include <pollen/core/detail/parker.hpp>
#include <pollen/core/waker.hpp>

using pollen::detail::ThreadParker;

TEST(ThreadParker, UnparkBeforeParkIsKept) {
    ThreadParker p;
    p.unpark();
    p.park();  // returns at once: the token was kept
    p.unpark();
    p.unpark();  // several unparks are one token
    p.park();
    SUCCEED();
}

TEST(ThreadParker, ParkReturnsOnlyForAnUnpark) {
    constexpr int kRounds = 20'000;
    ThreadParker a, b;
    std::atomic<int> ball{0};
    std::atomic<int> early{0};
    std::thread other([&] {
        for (int i = 0; i < kRounds; ++i) {
            b.park();
            if (ball.load(std::memory_order_relaxed) != 2 * i + 1) early.fetch_add(1);
            ball.store(2 * i + 2, std::memory_order_relaxed);
            a.unpark();
        }
    });
    for (int i = 0; i < kRounds; ++i) {
        ball.store(2 * i + 1, std::memory_order_relaxed);
        b.unpark();
        a.park();
        if (ball.load(std::memory_order_relaxed) != 2 * i + 2) early.fetch_add(1);
    }
    other.join();
    EXPECT_EQ(early.load(), 0);
}

TEST(ThreadParker, AWakerFromItUnparksIt) {
    auto p = std::make_shared<ThreadParker>();
    pollen::Waker w = pollen::waker_from(p);
    std::thread waker_thread([w2 = w] { w2.wake_by_ref(); });
    p->park();
    waker_thread.join();
    w.wake_by_ref();
    p->park();
    SUCCEED();
}
