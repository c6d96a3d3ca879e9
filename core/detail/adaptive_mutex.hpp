#pragma once
/// AdaptiveMutex: a mutex on one atomic word that spins briefly before it
/// sleeps (the policy of Rust's std futex mutex, which Tokio 1.24's locks are).
///
/// The locks inside the runtime and the sync primitives guard a few pointer
/// moves, so a thread that finds one taken almost always sees it free again
/// within a few hundred nanoseconds. Sleeping at once costs a futex wait on
/// this side and a futex wake on the holder's, and under contention turns
/// into a convoy. Uncontended, lock and unlock are one atomic instruction
/// each, inline (a pthread mutex is two calls into libc).
///
/// The word is Drepper's three-state futex mutex ("Futexes Are Tricky"):
/// 0 free, 1 held, 2 held and someone may be asleep on it; only an unlock
/// that sees 2 pays for a wake. Sleeping and waking: futex.hpp. ThreadSanitizer sees the
/// acquire/release pairs, and std::unique_lock / std::lock_guard work as
/// with any Lockable (not std::condition_variable: use condition_variable_any).
///
/// Threads: any; not recursive; unlock on the locking thread.

#include <atomic>

#include "futex.hpp"

namespace pollen::detail {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
}

class AdaptiveMutex {
public:
    AdaptiveMutex() = default;
    AdaptiveMutex(const AdaptiveMutex&) = delete;
    AdaptiveMutex& operator=(const AdaptiveMutex&) = delete;

    void lock() {
        if (try_lock()) [[likely]] return;
        lock_contended();
    }

    bool try_lock() {
        int expected = kFree;
        return state_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire,
                                              std::memory_order_relaxed);
    }

    void unlock() {
        if (state_.exchange(kFree, std::memory_order_release) == kHeldWithSleepers) [[unlikely]]
            futex_wake_one(state_);
    }

private:
    static constexpr int kFree = 0, kHeld = 1, kHeldWithSleepers = 2;

    [[gnu::noinline]] void lock_contended() {
        // Spin while the holder runs: it guards a few pointer moves, so it is
        // usually gone within a few hundred ns (std's futex mutex spins 100
        // rounds too). No sched_yield: on a loaded machine it hands the core
        // to a thread that is not the holder as often as not, and costs a
        // system call each time. Stop at once when others already sleep.
        for (int i = 0; i < 100; ++i) {
            int s = state_.load(std::memory_order_relaxed);
            if (s == kFree && try_lock()) return;
            if (s == kHeldWithSleepers) break;
            cpu_relax();
        }
        // From here on the word says "sleepers" whenever we hold it, so the
        // unlock that lets us in also wakes the next sleeper.
        while (state_.exchange(kHeldWithSleepers, std::memory_order_acquire) != kFree)
            futex_wait(state_, kHeldWithSleepers);
    }
    std::atomic<int> state_{kFree};
};

}  // namespace pollen::detail
