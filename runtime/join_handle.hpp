#pragma once
/// JoinHandle<T>: the owned permission to await a spawned task (Tokio's
/// `JoinHandle`). Itself a future: its poll is Ready with `Ok(output)` once the
/// task finished, or `Err(JoinError)` if the task was aborted or threw;
/// otherwise it stores the waker and is woken by the task's completion, from
/// whichever thread ran it.
///
/// Destroying a JoinHandle detaches the task: it keeps running, and its
/// output is destroyed when it finishes. `abort()` cancels the task: it is
/// destroyed at its next scheduling point (at once if idle).
/// A JoinHandle may be moved freely, also after being polled.

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>

#include "../core/coop.hpp"
#include "../core/future_ext.hpp"
#include "abort_handle.hpp"
#include "detail/task/task.hpp"

namespace pollen {

template <class T>
class JoinHandle : public FutureExt<JoinHandle<T>> {
public:
    using Output = Result<T, JoinError>;

    explicit JoinHandle(detail::Header* task) noexcept : task_(task) {}
    JoinHandle(JoinHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
    JoinHandle& operator=(JoinHandle&& other) noexcept {
        if (this != &other) {
            reset();
            task_ = std::exchange(other.task_, nullptr);
        }
        return *this;
    }
    JoinHandle(const JoinHandle&) = delete;
    JoinHandle& operator=(const JoinHandle&) = delete;
    ~JoinHandle() { reset(); }

    Poll<Output> poll(Context& cx) {
        assert(task_ && "pollen: JoinHandle polled after it completed or was moved from");
        if (!coop::poll_proceed(cx)) return pending;
        if (!detail::can_read_output(task_, cx.waker())) {
            coop::refund();
            return pending;
        }
        return Ready<Output>{detail::take_output<T>(task_)};
    }

    /// Cancels the task (no effect once it finished). The JoinHandle then
    /// yields `JoinError::is_cancelled()` unless the task completed first.
    void abort() const {
        if (task_) detail::abort_task(task_);
    }
    /// A copyable handle that can only abort the task (Tokio's `abort_handle`);
    /// it stays valid after this JoinHandle is gone.
    AbortHandle abort_handle() const {
        assert(task_ && "pollen: abort_handle() on a moved-from JoinHandle");
        return AbortHandle(task_);
    }
    /// True once the task finished (completed, threw or was cancelled).
    bool is_finished() const { return task_ && detail::is_complete(task_); }
    /// The task's id, unique within the process.
    std::uint64_t id() const { return task_ ? task_->id : 0; }

    /// For task dumps (core/trace.hpp): "join task 7" (the id, whose own tree the dump shows too).
    void describe(TraceVisitor& v) const {
        v.waits_on("join task " + std::to_string(id()) + (is_finished() ? " (finished)" : ""));
    }

private:
    void reset() {
        if (task_) detail::drop_join_handle(std::exchange(task_, nullptr));
    }
    detail::Header* task_;
};

}  // namespace pollen
