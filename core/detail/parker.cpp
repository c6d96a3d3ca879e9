#include "parker.hpp"

#include <thread>

#include "adaptive_mutex.hpp"  // cpu_relax
#include "futex.hpp"

#if defined(__SANITIZE_THREAD__)
#include <condition_variable>
#include <cstdint>
#include <mutex>
#endif

namespace pollen::detail {

#if defined(__SANITIZE_THREAD__)
// Under ThreadSanitizer a parked thread sleeps on a condition variable, not
// on the futex of an atomic wait: TSan runs a signal handler only when the
// thread is inside a call it intercepts, and a raw futex syscall is not one,
// so a thread parked there (typically the one in block_on) would never see
// SIGTERM. A small pool shared by all parkers keeps the header (and the
// parker's size) the same in every build.
namespace {
struct SleepSlot {
    std::mutex mu;
    std::condition_variable cv;
};
SleepSlot& slot_of(const void* parker) {
    static SleepSlot slots[16];
    return slots[(reinterpret_cast<std::uintptr_t>(parker) >> 4) % 16];
}
}  // namespace
#endif

void ThreadParker::park(SpinFirst spin) {
    if (state_.fetch_sub(1, std::memory_order_acquire) == kNotified) return;  // the token was there
    if (spin == SpinFirst::yes) {
        // A round trip to a worker often ends within these few µs, sparing
        // the futex sleep and, on the waker's side, the futex wake.
        for (int i = 0; i < 16 && state_.load(std::memory_order_relaxed) == kParked; ++i) {
            if (i < 12) cpu_relax();
            else std::this_thread::yield();
        }
    }
#if defined(__SANITIZE_THREAD__)
    SleepSlot& s = slot_of(this);
    std::unique_lock lock(s.mu);
    s.cv.wait(lock, [&] { return state_.load(std::memory_order_acquire) == kNotified; });
    state_.store(kEmpty, std::memory_order_relaxed);
#else
    for (;;) {
        futex_wait(state_, kParked);
        // A value other than kParked is kNotified (only unpark writes it);
        // the loop only guards against a wait that returns early.
        int expected = kNotified;
        if (state_.compare_exchange_strong(expected, kEmpty, std::memory_order_acquire)) return;
    }
#endif
}

void ThreadParker::unpark() {
    if (state_.exchange(kNotified, std::memory_order_release) != kParked) return;
#if defined(__SANITIZE_THREAD__)
    // Taking the lock orders the notification after the parker's wait began;
    // notify_all because parkers share the slot.
    SleepSlot& s = slot_of(this);
    { std::lock_guard lock(s.mu); }
    s.cv.notify_all();
#else
    futex_wake_one(state_);
#endif
}

}  // namespace pollen::detail
