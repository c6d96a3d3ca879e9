#pragma once
/// JoinSet<T>: a set of spawned tasks whose results are taken in completion
/// order (Tokio's `JoinSet`). `join_next()` is a future of
/// `std::optional<Result<T, JoinError>>`: the next task to finish, or nullopt
/// when the set is empty; `join_next_with_id()` gives the task's id with its
/// output; `try_join_next()` takes a result only if one is there already.
/// Only tasks that were woken are polled, so taking n results costs O(n), not
/// O(n²). `spawn` returns the task's AbortHandle.
///
/// `std::move(set).join_all()` is a future of every output (a vector, in
/// completion order). Where Tokio's `join_all` panics on a task that
/// panicked or was cancelled, pollen's poll throws: the task's own exception
/// (JoinError::rethrow: std::runtime_error for a cancelled task), after
/// aborting every task still in the set.
///
/// Destroying a JoinSet aborts every task still in it; destroying a
/// `join_next()` future mid-way loses nothing (the task stays in the set).
/// A JoinSet is used by one thread at a time; its tasks run anywhere.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/coop.hpp"
#include "abort_handle.hpp"
#include "handle.hpp"
#include "spawn.hpp"

namespace pollen {

template <class T>
class JoinSet {
    struct Shared {
        std::mutex mu;
        std::vector<std::size_t> notified;  // slots whose task may have finished
        std::optional<Waker> waker;         // the join_next future's
    };
    /// Each slot's waker records the slot as notified, then wakes join_next.
    struct SlotWake {
        std::shared_ptr<Shared> shared;
        std::size_t slot;
        void wake() {
            std::optional<Waker> w;
            {
                std::lock_guard lock(shared->mu);
                shared->notified.push_back(slot);
                w = std::move(shared->waker);
                shared->waker.reset();
            }
            if (w) std::move(*w).wake();
        }
    };
    struct Slot {
        JoinHandle<T> handle;
        Waker waker;
    };

public:
    using Output = std::optional<Result<T, JoinError>>;
    /// What `join_next_with_id()` gives: the task's id with its output (Unit for void).
    using Stored = std::conditional_t<std::is_void_v<T>, Unit, T>;
    using OutputWithId = std::optional<Result<std::pair<std::uint64_t, Stored>, JoinError>>;

    JoinSet() : shared_(std::make_shared<Shared>()) {}
    JoinSet(JoinSet&&) noexcept = default;
    JoinSet& operator=(JoinSet&&) noexcept = default;
    ~JoinSet() {
        if (shared_) abort_all();
    }

    /// Spawns `fut` on the current runtime and adds it to the set.
    template <Future F>
    AbortHandle spawn(F fut, std::source_location loc = std::source_location::current()) {
        return insert(pollen::spawn(std::move(fut), loc));
    }
    /// Spawns on a given runtime handle.
    template <Future F>
    AbortHandle spawn_on(F fut, const Handle& handle,
                         std::source_location loc = std::source_location::current()) {
        return insert(handle.spawn(std::move(fut), loc));
    }
    // What is not a future (a closure, mostly) is refused with pollen's message.
    template <class F>
        requires(!Future<F>)
    auto spawn(F, std::source_location = std::source_location::current()) {
        static_assert(is_future_v<F>,
                      "pollen::JoinSet::spawn takes a future (a type with Output and poll(Context&)), not "
                      "a closure: pass the future itself, spawn(make_future()); wrap plain code in "
                      "pollen::future::lazy([] { ... }); give blocking code to spawn_blocking");
    }
    template <class F>
        requires(!Future<F>)
    auto spawn_on(F, const Handle&, std::source_location = std::source_location::current()) {
        static_assert(is_future_v<F>,
                      "pollen::JoinSet::spawn_on takes a future (a type with Output and poll(Context&)), "
                      "not a closure: pass the future itself, spawn_on(make_future(), handle); wrap plain "
                      "code in pollen::future::lazy([] { ... })");
    }
    /// Runs the blocking closure `fn` on the blocking pool and adds its task
    /// (Tokio's `JoinSet::spawn_blocking`); `fn` returns T. Aborting it only
    /// stops it before a thread picked it up.
    template <class Fn>
        requires std::is_invocable_v<Fn&>
    AbortHandle spawn_blocking(Fn fn, std::source_location loc = std::source_location::current()) {
        return insert(pollen::spawn_blocking(std::move(fn), loc));
    }
    template <class Fn>
        requires std::is_invocable_v<Fn&>
    AbortHandle spawn_blocking_on(Fn fn, const Handle& handle,
                                  std::source_location loc = std::source_location::current()) {
        return insert(handle.spawn_blocking(std::move(fn), loc));
    }
    /// Adds an existing task.
    AbortHandle insert(JoinHandle<T> handle) {
        AbortHandle abort = handle.abort_handle();
        std::size_t slot;
        if (!free_.empty()) {
            slot = free_.back();
            free_.pop_back();
        } else {
            slot = slots_.size();
            slots_.emplace_back();
        }
        Waker w = waker_from(std::make_shared<SlotWake>(SlotWake{shared_, slot}));
        slots_[slot].emplace(Slot{std::move(handle), std::move(w)});
        ++len_;
        std::lock_guard lock(shared_->mu);
        shared_->notified.push_back(slot);  // poll it once to register its waker
        return abort;
    }

    std::size_t len() const { return len_; }
    bool is_empty() const { return len_ == 0; }

    /// Aborts every task; their results (cancelled, or finished first) still
    /// come out of join_next.
    void abort_all() {
        for (auto& s : slots_)
            if (s) s->handle.abort();
    }
    /// Forgets every task, letting them run on (detached).
    void detach_all() {
        slots_.clear();
        free_.clear();
        len_ = 0;
        std::lock_guard lock(shared_->mu);
        shared_->notified.clear();
    }

    class JoinNext : public FutureExt<JoinNext> {
    public:
        using Output = JoinSet::Output;
        explicit JoinNext(JoinSet& set) : set_(&set) {}
        Poll<Output> poll(Context& cx) { return set_->poll_join_next(cx); }
        /// For task dumps (core/trace.hpp): the set and how many tasks it holds.
        void describe(TraceVisitor& v) const { set_->describe_join(v); }

    private:
        JoinSet* set_;
    };
    /// The next result in completion order; nullopt when the set is empty.
    JoinNext join_next() { return JoinNext(*this); }

    class JoinNextWithId : public FutureExt<JoinNextWithId> {
    public:
        using Output = JoinSet::OutputWithId;
        explicit JoinNextWithId(JoinSet& set) : set_(&set) {}
        Poll<Output> poll(Context& cx) { return set_->poll_join_next_with_id(cx); }
        void describe(TraceVisitor& v) const { set_->describe_join(v); }

    private:
        JoinSet* set_;
    };
    /// As join_next, with the finished task's id beside its output (a failed
    /// task's id is in its JoinError).
    JoinNextWithId join_next_with_id() { return JoinNextWithId(*this); }

    /// For task dumps: "join_next of JoinSet 0x... (3 tasks)"; the set belongs
    /// to the task being dumped, so its count may be read.
    void describe_join(TraceVisitor& v) const {
        v.waits_on("join_next of JoinSet " + trace::address(this) + " (" + std::to_string(len_) + " tasks)");
    }

    /// One poll of join_next (for hand-written futures holding a JoinSet).
    Poll<Output> poll_join_next(Context& cx) {
        auto p = poll_finished(&cx);
        if (p.is_pending()) return pending;
        std::optional<Finished> f = p.take();
        if (!f) return Ready<Output>{std::nullopt};
        return Ready<Output>{Output(std::move(f->result))};
    }
    /// One poll of join_next_with_id.
    Poll<OutputWithId> poll_join_next_with_id(Context& cx) {
        auto p = poll_finished(&cx);
        if (p.is_pending()) return pending;
        return Ready<OutputWithId>{with_id(p.take())};
    }

    /// A result of a task that already finished, without waiting: nullopt
    /// when none has finished yet, or the set is empty (Tokio's
    /// `try_join_next`). Usable outside any runtime.
    Output try_join_next() {
        std::optional<Finished> f = poll_finished(nullptr).take();
        if (!f) return std::nullopt;
        return Output(std::move(f->result));
    }
    /// try_join_next with the task's id.
    OutputWithId try_join_next_with_id() { return with_id(poll_finished(nullptr).take()); }

    class Shutdown : public FutureExt<Shutdown> {
    public:
        using Output = void;
        explicit Shutdown(JoinSet& set) : set_(&set) {}
        Poll<void> poll(Context& cx) {
            if (!aborted_) {
                set_->abort_all();
                aborted_ = true;
            }
            for (;;) {
                auto p = set_->poll_join_next(cx);
                if (p.is_pending()) return pending;
                if (!p.take()) return ready();  // empty: every task is gone
            }
        }

    private:
        JoinSet* set_;
        bool aborted_ = false;
    };
    /// Aborts every task and waits until each has finished (cancelled, or
    /// done first); their results are dropped and the set is empty after
    /// (Tokio's `JoinSet::shutdown`). Destroying the future mid-way leaves
    /// the remaining tasks in the set, aborted.
    Shutdown shutdown() { return Shutdown(*this); }

    class JoinAll;
    /// A future of every task's output, in completion order; consumes the
    /// set. Throws from its poll on the first task that failed (see above).
    JoinAll join_all() &&;

private:
    struct Finished {
        std::uint64_t id;
        Result<T, JoinError> result;
    };

    static OutputWithId with_id(std::optional<Finished> f) {
        if (!f) return std::nullopt;
        if (f->result.is_err()) return OutputWithId(Err(std::move(f->result).error()));
        if constexpr (std::is_void_v<T>) return OutputWithId(Ok(std::pair<std::uint64_t, Stored>(f->id, Unit{})));
        else return OutputWithId(Ok(std::pair<std::uint64_t, Stored>(f->id, std::move(f->result).value())));
    }

    /// The next finished task among the notified ones. With `cx`: Pending
    /// (its waker kept) while none has finished. Without: Ready(nullopt) at
    /// once, the handles polled unconstrained (Tokio's try_join_next: a
    /// function that cannot yield must not be refused for want of budget).
    Poll<std::optional<Finished>> poll_finished(Context* cx) {
        if (len_ == 0) return Ready<std::optional<Finished>>{std::nullopt};
        for (;;) {
            std::size_t slot;
            {
                std::lock_guard lock(shared_->mu);
                if (shared_->notified.empty()) {
                    if (!cx) return Ready<std::optional<Finished>>{std::nullopt};
                    if (!shared_->waker || !shared_->waker->will_wake(cx->waker()))
                        shared_->waker.emplace(cx->waker());
                    return pending;
                }
                slot = shared_->notified.back();
                shared_->notified.pop_back();
            }
            if (slot >= slots_.size() || !slots_[slot]) continue;  // stale notification
            Context slot_cx(slots_[slot]->waker);
            auto p = [&] {
                if (cx) return slots_[slot]->handle.poll(slot_cx);
                coop::BudgetScope unconstrained(-1);
                return slots_[slot]->handle.poll(slot_cx);
            }();
            if (p.is_ready()) {
                std::uint64_t id = slots_[slot]->handle.id();
                slots_[slot].reset();
                free_.push_back(slot);
                --len_;
                return Ready<std::optional<Finished>>{Finished{id, p.take()}};
            }
            if (cx && !coop::has_budget_remaining()) {
                // The handle was refused for want of budget (and re-queued
                // its slot): yield instead of spinning on it, as Tokio does.
                cx->waker().wake_by_ref();
                return pending;
            }
        }
    }

private:
    std::shared_ptr<Shared> shared_;
    std::vector<std::optional<Slot>> slots_;
    std::vector<std::size_t> free_;
    std::size_t len_ = 0;
};

template <class T>
class JoinSet<T>::JoinAll : public FutureExt<typename JoinSet<T>::JoinAll> {
public:
    using Output = std::vector<typename JoinSet<T>::Stored>;
    explicit JoinAll(JoinSet<T> set) : set_(std::move(set)) {}

    Poll<Output> poll(Context& cx) {
        for (;;) {
            auto p = set_.poll_join_next(cx);
            if (p.is_pending()) return pending;
            typename JoinSet<T>::Output next = p.take();
            if (!next) return Ready<Output>{std::move(outputs_)};
            if (next->is_err()) {
                set_.abort_all();  // Tokio: the remaining tasks are cancelled
                next->error().rethrow();
            }
            outputs_.push_back(std::move(*next).value());
        }
    }

private:
    JoinSet<T> set_;
    Output outputs_;
};

template <class T>
typename JoinSet<T>::JoinAll JoinSet<T>::join_all() && {
    return JoinAll(std::move(*this));
}

}  // namespace pollen
