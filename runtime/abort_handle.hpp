#pragma once
/// AbortHandle: the right to cancel a spawned task, without the right to
/// await it (Tokio's `AbortHandle`). Made by `JoinHandle::abort_handle()` and
/// returned by `JoinSet::spawn`. Copyable; any thread may use a copy.
///
/// `abort()` cancels the task as `JoinHandle::abort` does: it is destroyed
/// at its next scheduling point (at once if idle), and its JoinHandle, if
/// still there, reports `JoinError::is_cancelled()` unless the task finished
/// first. Holding an AbortHandle keeps the task's header alive (a few dozen
/// bytes), never its future or output; destroying one does nothing to the task.

#include <cstdint>
#include <utility>

#include "detail/task/task.hpp"

namespace pollen {

class AbortHandle {
public:
    /// Shares `task` (taking a reference of its own).
    explicit AbortHandle(detail::Header* task) noexcept : task_(task) { acquire(); }
    AbortHandle(const AbortHandle& other) noexcept : task_(other.task_) { acquire(); }
    AbortHandle(AbortHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
    AbortHandle& operator=(AbortHandle other) noexcept {
        std::swap(task_, other.task_);
        return *this;
    }
    ~AbortHandle() {
        if (task_) detail::drop_reference(task_);
    }

    /// Cancels the task (no effect once it finished).
    void abort() const {
        if (task_) detail::abort_task(task_);
    }
    /// True once the task finished (completed, threw or was cancelled).
    bool is_finished() const { return task_ && detail::is_complete(task_); }
    /// The task's id: the same as its JoinHandle's `id()`.
    std::uint64_t id() const { return task_ ? task_->id : 0; }

private:
    void acquire() noexcept {
        if (task_) task_->state.ref_inc();
    }
    detail::Header* task_;
};

}  // namespace pollen
