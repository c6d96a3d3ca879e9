#pragma once
/// The task's memory (Tokio's task/core.rs and raw.rs): one allocation, the
/// Cell, holding the Header (state word, vtable, scheduler link, queue and
/// owned-list links, id, spawn location, join waker) and the stage: the
/// future, then in the same bytes its output. The TaskVTable gives the
/// type-erased harness what only the future's type knows: poll it, cancel
/// it, drop the output, find the output, free the cell. The harness that drives a cell through its states is task.hpp.
///
/// A cell is freed when its last reference goes (task_state.hpp counts
/// them). Threads: the future is touched only by the thread holding the
/// RUNNING right; the header's atomics by any thread.

#include <atomic>
#include <cstdint>
#include <exception>
#include <optional>
#include <source_location>
#include <utility>

#include "../../../core/atomic_waker.hpp"
#include "../../../core/future.hpp"
#include "../../../core/result.hpp"
#include "../../join_error.hpp"
#include "task_alloc.hpp"
#include "task_state.hpp"

namespace pollen::detail {

class Scheduler;
struct Header;

struct TaskVTable {
    /// Polls the future once; on Ready or on an exception stores the output,
    /// destroys the future and returns true. An exception from the poll or
    /// from the future's destructor becomes a panic JoinError.
    bool (*poll_future)(Header*, Context&);
    /// Destroys the future (if still there) and stores "cancelled" as output
    /// ("panicked" when the future's destructor threw).
    void (*cancel)(Header*);
    /// Destroys the output (if still there).
    void (*drop_output)(Header*);
    void (*dealloc)(Header*);
    /// The output slot, a `std::optional<Result<T, JoinError>>` for the
    /// task's T, valid once the future is gone (see Cell's Stage).
    void* (*output)(Header*);
};

struct Header {
    /// Three references at birth: the owned-task list, the JoinHandle and the
    /// first run-queue entry.
    Header(const TaskVTable* vt, Scheduler* sched, std::uint64_t task_id, std::source_location loc)
        : vtable(vt), scheduler(sched), id(task_id), location(loc) {}

    State state;  // task_state::kInitial
    const TaskVTable* vtable;
    Scheduler* scheduler;
    Header* queue_next = nullptr;  // intrusive link for run queues
    Header* owned_prev = nullptr;  // intrusive links for the owned-task list
    Header* owned_next = nullptr;
    bool owned_linked = false;
    // Whether the Cell's future is alive; here, in the padding after
    // owned_linked, rather than after the future (8 bytes a task).
    bool has_future = false;
    /// Live clones of the task's Waker, counted only by the counting vtable
    /// (lost-waker detection on); sits in padding, so costs no space.
    std::atomic<std::uint32_t> waker_clones{0};
    std::uint64_t id;
    std::source_location location;
    // For Runtime::dump, 32 bits each (8 bytes a task, not 16): the poll
    // count wraps after 4 billion polls, the coarse clock's milliseconds
    // every 49 days, and dumps read both modulo 2^32.
    std::atomic<std::uint32_t> polls{0};
    std::atomic<std::uint32_t> last_poll_ms{0};
    AtomicWaker join_waker;
};

/// The output slot of a task whose output type is T (through the vtable:
/// its place in the cell depends on the future's type).
template <class T>
std::optional<Result<T, JoinError>>& output_of(Header* h) {
    return *static_cast<std::optional<Result<T, JoinError>>*>(h->vtable->output(h));
}

template <Future F>
struct Cell final : Header {
    using T = output_t<F>;
    using Output = std::optional<Result<T, JoinError>>;

    Cell(F f, Scheduler* sched, std::uint64_t id, std::source_location loc)
        : Header(&vtable, sched, id, loc) {
        ::new (static_cast<void*>(&future)) F(std::move(f));
        has_future = true;
    }
    ~Cell() {
        if (has_future) (void)drop_future();
        else output.~Output();
    }

    // The stage (Tokio's Stage: Running(future) | Finished(output)): the
    // future and the output share their bytes, since the output is written
    // only once the future is destroyed. has_future says which one is alive.
    // Raw storage rather than std::optional for the future: one whose
    // destructor throws (Rust: panics in drop) must be destroyed under a
    // catch, and optional::reset is noexcept.
    union {
        F future;
        Output output;
    };

    static Cell& of(Header* h) { return *static_cast<Cell*>(h); }

    /// Destroys the future (if still there), leaving an empty output in its
    /// place; what its destructor threw is returned, not propagated.
    std::exception_ptr drop_future() noexcept {
        if (!has_future) return nullptr;
        has_future = false;
        std::exception_ptr thrown;
        try {
            future.~F();
        } catch (...) {
            thrown = std::current_exception();
        }
        ::new (static_cast<void*>(&output)) Output();
        return thrown;
    }

    static bool poll_future(Header* h, Context& cx) {
        Cell& c = of(h);
        try {
            auto p = c.future.poll(cx);
            if (p.is_pending()) return false;
            // Tokio drops a finished future inside the same catch_unwind as
            // its poll: a throwing destructor turns the output into a panic.
            if constexpr (std::is_void_v<T>) {
                if (std::exception_ptr e = c.drop_future()) c.output.emplace(Err(JoinError::panic(h->id, e)));
                else c.output.emplace(Ok());
            } else {
                T value = p.take();
                if (std::exception_ptr e = c.drop_future()) c.output.emplace(Err(JoinError::panic(h->id, e)));
                else c.output.emplace(Ok(std::move(value)));
            }
        } catch (...) {
            // Rust: a panic ends the task; the JoinHandle reports it. Should
            // the destructor throw as well, the poll's exception is the one kept.
            std::exception_ptr e = std::current_exception();
            (void)c.drop_future();
            c.output.emplace(Err(JoinError::panic(h->id, e)));
        }
        return true;
    }
    static void cancel(Header* h) {
        // Tokio's cancel_task: a panic while dropping the future is reported
        // as the task's panic instead of a cancellation, never propagated.
        Cell& c = of(h);
        if (std::exception_ptr e = c.drop_future()) c.output.emplace(Err(JoinError::panic(h->id, e)));
        else c.output.emplace(Err(JoinError::cancelled(h->id)));
    }
    static void drop_output(Header* h) {
        Cell& c = of(h);
        if (!c.has_future) c.output.reset();
    }
    static void dealloc(Header* h) { delete &of(h); }
    static void* output_slot(Header* h) { return &of(h).output; }

    static void* operator new(std::size_t size) { return task_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { task_deallocate(p, size); }

    static constexpr TaskVTable vtable{poll_future, cancel, drop_output, dealloc, output_slot};
};

}  // namespace pollen::detail
