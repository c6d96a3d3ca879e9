#pragma once
// Test support: lock-step between plain threads, one round at a time. One
// thread publishes a counter (`publish`), the other waits until it reaches a
// value (`wait_at_least`).
//
// The wait spins briefly first, so the race a round sets up stays tight when
// both threads have a core, then sleeps on the counter (a futex), so that on a
// loaded machine a round costs one wake-up. A `std::this_thread::yield` loop
// instead gives the core away for a scheduler slice each time: with two
// builds beside it, a 100,000-round test took 260 s instead of 2.

#include <atomic>

namespace pollen::test {

inline void publish(std::atomic<int>& counter, int value) {
    counter.store(value, std::memory_order_release);
    counter.notify_all();
}

inline void wait_at_least(const std::atomic<int>& counter, int value) {
    for (int spin = 0; spin < 256; ++spin)
        if (counter.load(std::memory_order_acquire) >= value) return;
    for (int seen = counter.load(std::memory_order_acquire); seen < value;
         seen = counter.load(std::memory_order_acquire))
        counter.wait(seen, std::memory_order_acquire);
}

}  // namespace pollen::test
