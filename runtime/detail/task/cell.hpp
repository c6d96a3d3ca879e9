#pragma once
/// The task's memory (Tokio's task/core.rs and raw.rs): one allocation, the
/// Cell, holding the Header (state word, vtable, scheduler link, owned-list
/// links, id, spawn location or statistics, join waker) and the stage: the
/// future, then in the same bytes its output. Every byte of the header is
/// paid by every task, idle ones included: a field only some programs need
/// goes behind TaskDiagnostics (task_stats.hpp). The TaskVTable gives the
/// type-erased harness what only the future's type knows: poll it, cancel
/// it, drop the output, find the output, free the cell, describe it (task
/// dumps). The harness that drives a cell through its states is task.hpp.
/// A task with statistics has its TaskStats block in the same allocation,
/// just before the cell.
///
/// A cell is freed when its last reference goes (task_state.hpp counts
/// them). Threads: the future is touched only by the thread holding the
/// RUNNING right; the header's atomics by any thread.

#include <atomic>
#include <cassert>
#include <cstdint>
#include <exception>
#include <new>
#include <source_location>
#include <utility>

#include "../../../core/future.hpp"
#include "../../../core/waker.hpp"
#include "../../../core/result.hpp"
#include "../../../core/trace.hpp"
#include "../../join_error.hpp"
#include "task_alloc.hpp"
#include "task_state.hpp"
#include "task_stats.hpp"

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
    /// The output slot, a `Result<T, JoinError>` for the task's T, alive
    /// while Header::has_output (see Cell's stage).
    void* (*output)(Header*);
    /// The future's tree (core/trace.hpp), by the holder of RUNNING (task dumps).
    TraceFrame (*describe)(const Header*);
};

struct Header {
    /// Three references at birth: the owned-task list, the JoinHandle and the
    /// first run-queue entry.
    Header(const TaskVTable* vt, Scheduler* sched, std::uint64_t task_id, TaskDiagnostics diag)
        : vtable(vt), scheduler(sched), id(task_id), diagnostics(diag) {}
    Header(const Header&) = delete;
    Header& operator=(const Header&) = delete;

    State state;  // task_state::kInitial
    const TaskVTable* vtable;
    Scheduler* scheduler;
    Header* owned_prev = nullptr;  // intrusive links for the owned-task list
    Header* owned_next = nullptr;
    bool owned_linked = false;
    // Which member of the Cell's stage is alive; here, in the padding after
    // owned_linked, rather than beside the stage (8 bytes a task).
    bool has_future = false;
    bool has_output = false;
    /// Live clones of the task's Waker, counted only by the counting vtable
    /// (lost-waker detection on); sits in padding, so costs no space.
    std::atomic<std::uint32_t> waker_clones{0};
    std::uint64_t id;
    TaskDiagnostics diagnostics;
    /// The JoinHandle's waker; who may touch it is the state word's
    /// JOIN_WAKER bit (task_state.hpp). A plain Waker, not an AtomicWaker:
    /// the state word already orders the two sides (8 bytes a task).
    Waker join_waker = noop_waker();
};

/// Moves the output out of the slot of a task whose output type is T, and
/// destroys the slot (through the vtable: its place in the cell depends on
/// the future's type). The caller owns the output (it saw COMPLETE with
/// JOIN_INTEREST set).
template <class T>
Result<T, JoinError> take_output(Header* h) {
    assert(h->has_output && "pollen: JoinHandle polled again after Ready");
    auto& slot = *static_cast<Result<T, JoinError>*>(h->vtable->output(h));
    Result<T, JoinError> out = std::move(slot);
    h->vtable->drop_output(h);
    return out;
}

template <Future F>
struct Cell final : Header {
    using T = output_t<F>;
    using Output = Result<T, JoinError>;

    Cell(F f, Scheduler* sched, std::uint64_t id, TaskDiagnostics diag) : Header(&vtable, sched, id, diag) {
        ::new (static_cast<void*>(&future)) F(std::move(f));
        has_future = true;
    }
    ~Cell() {
        (void)drop_future();
        drop_output(this);
    }

    // The stage (Tokio's Stage: Running(future) | Finished(output) |
    // Consumed): the future and the output share their bytes, since the
    // output is written only once the future is destroyed; has_future and
    // has_output say which one is alive, if any. Raw storage rather than
    // std::optional: one whose destructor throws (Rust: panics in drop) must
    // be destroyed under a catch, optional::reset is noexcept, and the
    // optional's flag would cost 8 bytes beside what the header's padding holds.
    union {
        F future;
        Output output;
    };

    static Cell& of(Header* h) { return *static_cast<Cell*>(h); }

    // task_allocate's blocks are malloc's, 16-byte aligned.
    static_assert(alignof(TaskStats) <= 16);
    static constexpr std::size_t kCellOffset = (sizeof(TaskStats) + alignof(Cell) - 1) / alignof(Cell) * alignof(Cell);
    static constexpr std::size_t kWithStatsSize = kCellOffset + sizeof(Cell);

    /// Destroys the future (if still there); what its destructor threw is
    /// returned, not propagated.
    std::exception_ptr drop_future() noexcept {
        if (!has_future) return nullptr;
        has_future = false;
        std::exception_ptr thrown;
        try {
            future.~F();
        } catch (...) {
            thrown = std::current_exception();
        }
        return thrown;
    }
    template <class... A>
    void store_output(A&&... a) {
        ::new (static_cast<void*>(&output)) Output(std::forward<A>(a)...);
        has_output = true;
    }

    static bool poll_future(Header* h, Context& cx) {
        Cell& c = of(h);
        try {
            auto p = c.future.poll(cx);
            if (p.is_pending()) return false;
            // Tokio drops a finished future inside the same catch_unwind as
            // its poll: a throwing destructor turns the output into a panic.
            if constexpr (std::is_void_v<T>) {
                if (std::exception_ptr e = c.drop_future()) c.store_output(Err(JoinError::panic(h->id, e)));
                else c.store_output(Ok());
            } else {
                T value = p.take();
                if (std::exception_ptr e = c.drop_future()) c.store_output(Err(JoinError::panic(h->id, e)));
                else c.store_output(Ok(std::move(value)));
            }
        } catch (...) {
            // Rust: a panic ends the task; the JoinHandle reports it. Should
            // the destructor throw as well, the poll's exception is the one kept.
            std::exception_ptr e = std::current_exception();
            (void)c.drop_future();
            c.store_output(Err(JoinError::panic(h->id, e)));
        }
        return true;
    }
    static void cancel(Header* h) {
        // Tokio's cancel_task: a panic while dropping the future is reported
        // as the task's panic instead of a cancellation, never propagated.
        Cell& c = of(h);
        if (std::exception_ptr e = c.drop_future()) c.store_output(Err(JoinError::panic(h->id, e)));
        else c.store_output(Err(JoinError::cancelled(h->id)));
    }
    static void drop_output(Header* h) {
        Cell& c = of(h);
        if (!c.has_output) return;
        c.has_output = false;
        c.output.~Output();
    }
    static void dealloc(Header* h) {
        Cell* c = &of(h);
        TaskStats* stats = h->diagnostics.stats();
        c->~Cell();
        if (!stats) {
            task_deallocate(c, sizeof(Cell));
            return;
        }
        stats->~TaskStats();  // the allocation starts with the block
        task_deallocate(stats, kWithStatsSize);
    }
    static void* output_slot(Header* h) { return &of(h).output; }
    static TraceFrame describe(const Header* h) {
        const Cell& c = *static_cast<const Cell*>(h);
        return c.has_future ? TraceVisitor::trace(c.future) : TraceFrame{};
    }

    /// A task without statistics: the cell alone.
    template <class G>
    static Header* create(G&& f, Scheduler* sched, std::uint64_t id, std::source_location loc) {
        void* mem = task_allocate(sizeof(Cell));
        try {
            return ::new (mem) Cell(std::forward<G>(f), sched, id, TaskDiagnostics(loc));
        } catch (...) {
            task_deallocate(mem, sizeof(Cell));
            throw;
        }
    }
    /// A task with statistics: one allocation, the TaskStats block first and
    /// the cell after it, so the spawn and the first poll touch adjacent lines.
    template <class G, class... StatsArgs>
    static std::pair<Header*, TaskStats*> create_with_stats(G&& f, Scheduler* sched, std::uint64_t id,
                                                             StatsArgs&&... stats_args) {
        void* mem = task_allocate(kWithStatsSize);
        auto* stats = ::new (mem) TaskStats(std::forward<StatsArgs>(stats_args)...);
        try {
            Header* t = ::new (static_cast<char*>(mem) + kCellOffset)
                Cell(std::forward<G>(f), sched, id, TaskDiagnostics(stats));
            return {t, stats};
        } catch (...) {
            stats->~TaskStats();
            task_deallocate(mem, kWithStatsSize);
            throw;
        }
    }

    static constexpr TaskVTable vtable{poll_future, cancel, drop_output, dealloc, output_slot, describe};
};

}  // namespace pollen::detail
