#pragma once
/// futex_wait / futex_wake_one: the sleep and the wake under pollen's own
/// locks and parkers (AdaptiveMutex, ThreadParker). `futex_wait` sleeps
/// while `word` holds `expected` (it may return early: callers loop on
/// their own condition); `futex_wake_one` wakes one such sleeper.
///
/// On Linux a raw futex. Not C++20's atomic wait, which it replaces
/// elsewhere (and under ThreadSanitizer, which intercepts that and not a
/// raw system call): libstdc++'s wait first spins with four sched_yield
/// calls before it sleeps, and every park of an idle worker paid them
/// (thousands of system calls a second in a ping-pong of wakes, each
/// handing the core to whoever else is runnable).
///
/// Threads: any.

#include <atomic>

namespace pollen::detail {

void futex_wait(std::atomic<int>& word, int expected);
void futex_wake_one(std::atomic<int>& word);

}  // namespace pollen::detail
