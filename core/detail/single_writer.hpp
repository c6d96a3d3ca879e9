#pragma once
/// add_single_writer: adds to an atomic counter that only one thread ever
/// writes (a worker's poll count, a task's poll figures), with a relaxed
/// load and store instead of a locked read-modify-write: on x86 a
/// `lock xadd` costs some 20 cycles, paid on every poll otherwise.
/// Readers on other threads see some recent value, never a torn one.
///
/// Threads: one writer (or writers ordered by something else, such as a
/// lock or the task's RUNNING bit); readers from any thread.

#include <atomic>

namespace pollen::detail {

template <class T, class U>
void add_single_writer(std::atomic<T>& counter, U by) {
    counter.store(counter.load(std::memory_order_relaxed) + T(by), std::memory_order_relaxed);
}

}  // namespace pollen::detail
