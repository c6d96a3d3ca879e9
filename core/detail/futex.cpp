#include "futex.hpp"

#if defined(__linux__) && !defined(__SANITIZE_THREAD__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#define POLLEN_RAW_FUTEX 1
#endif

namespace pollen::detail {

#if defined(POLLEN_RAW_FUTEX)
static_assert(sizeof(std::atomic<int>) == sizeof(int) && std::atomic<int>::is_always_lock_free);

void futex_wait(std::atomic<int>& word, int expected) {
    syscall(SYS_futex, reinterpret_cast<int*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}
void futex_wake_one(std::atomic<int>& word) {
    syscall(SYS_futex, reinterpret_cast<int*>(&word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}
#else
void futex_wait(std::atomic<int>& word, int expected) { word.wait(expected, std::memory_order_relaxed); }
void futex_wake_one(std::atomic<int>& word) { word.notify_one(); }
#endif

}  // namespace pollen::detail
