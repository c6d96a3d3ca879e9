#pragma once
/// AdaptiveMutex: a std::mutex that spins briefly, then yields, before it
/// sleeps in the kernel.
///
/// The locks inside the runtime and the sync primitives guard a few pointer
/// moves, so a thread that finds one taken almost always sees it free again
/// within a few hundred nanoseconds. Sleeping at once (std::mutex) costs a
/// futex wait on this side and a futex wake on the holder's, and under
/// contention turns into a convoy. parking_lot, which Tokio uses, spins and
/// yields first in the same way; this is that policy on top of std::mutex,
/// so ThreadSanitizer and std::unique_lock / std::lock_guard keep working.

#include <mutex>
#include <thread>

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
    void lock() {
        if (mu_.try_lock()) return;
        // parking_lot's SpinWait: 2, 4 and 8 pauses, then 7 yields.
        for (int pauses = 2; pauses <= 8; pauses *= 2) {
            for (int i = 0; i < pauses; ++i) cpu_relax();
            if (mu_.try_lock()) return;
        }
        for (int i = 0; i < 7; ++i) {
            std::this_thread::yield();
            if (mu_.try_lock()) return;
        }
        mu_.lock();
    }
    bool try_lock() { return mu_.try_lock(); }
    void unlock() { mu_.unlock(); }

private:
    std::mutex mu_;
};

}  // namespace pollen::detail
