#pragma once
/// TaskScope<T>: structured concurrency. A scope spawns child tasks that
/// cannot outlive it, so children may borrow whatever the scope's owner
/// outlives (Tokio has no such type; this is Trio's nursery and the
/// `async-scoped` crate's scope, with `std::thread::scope`'s guarantee).
///
///     struct Fetch : Async<Fetch, Result<std::vector<int>, JoinError>> {
///         std::vector<int> inputs;          // borrowed by the children...
///         TaskScope<int> scope;             // ...so declared after them
///         std::vector<int> outputs;
///         POLLEN_FRAME;
///         Poll<Output> poll(Context& cx) {
///             POLLEN_BEGIN(cx);
///             for (int& x : inputs) scope.spawn(work(x));   // children borrow x
///             POLLEN_LET_TRY(outputs, scope.join());        // in spawn order
///             POLLEN_RETURN(Ok(std::move(outputs)));
///             POLLEN_END;
///         }
///     };
///
/// Children are ordinary tasks of the current runtime (they run in parallel
/// on a multi-thread runtime). `spawn(fut)` starts one and returns its
/// AbortHandle; every child's output type is T.
///
/// `join()` is a future that waits for every child, including children
/// spawned while it waits (a child may spawn siblings through a reference to
/// the scope). Its Output:
/// - T = Result<U, E>: `Result<std::vector<U>, ScopeError<E>>` (Result<void,
///   ScopeError<E>> for U = void): the children's values in spawn order, or
///   the first failure: a child's `Err(e)` (ScopeError::child) or a child that
///   threw or was cancelled (ScopeError::join, holding the JoinError);
/// - any other T: `Result<std::vector<T>, JoinError>` (Result<void,
///   JoinError> for void): the outputs in spawn order, or the JoinError of the
///   first child that threw or was cancelled.
/// "First" is the first child to fail: the one whose poll returned the Err or
/// threw (or, for a cancellation, the first the join saw). It cancels its
/// siblings at once, from its own thread, whether or not join() is being
/// awaited; join() then waits until every sibling is reaped (its future
/// destroyed) and returns that failure. A child cancelled through its
/// AbortHandle, or by runtime shutdown, counts as failed (it has no output).
/// Children spawned after a failure, or while the scope is being destroyed,
/// are cancelled before their first poll (one racing the failure, at once).
/// Once join() is Ready the scope is empty and may be used again.
///
/// Destroying the scope cancels every child and returns only when each
/// child's future has been destroyed: an idle child is cancelled in place, on
/// the destroying thread; a child that another thread is polling is marked
/// cancelled and the destroying thread blocks until that poll ends and its
/// runner destroys it (at most one poll per child, all of them cancelled
/// first, then awaited). So a child's poll must never block waiting for the
/// scope's owner. Destroying a join() future mid-way loses nothing: the
/// children run on, their outputs kept for the next join().
///
/// Threads and deadlocks. On a current-thread runtime the children run on the
/// owner's thread, so when the owner destroys the scope no child can be in a
/// poll and nothing ever waits. A child that destroys its own scope (from its
/// poll, or from its future's destructor: a scope kept in a shared_ptr whose
/// last owner is a child) is not waited for, it could never be: it is marked
/// cancelled and its runner destroys it when that poll returns, so what the
/// rest of that poll touches is its own business, as for any code that
/// destroys an object it is running inside. Its siblings are reaped as usual.
///
/// A scope is owned by one task (or thread): join() and destruction happen
/// there. spawn() may be called by the owner and by the scope's children,
/// from any thread. The scope may be moved only while it has no children
/// (they hold its address): moving one with children aborts, as moving an
/// async function after its first await does. Spawning needs a runtime
/// (std::logic_error outside one, as pollen::spawn).

#include <cassert>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "../core/coop.hpp"
#include "../core/future_ext.hpp"
#include "../core/result.hpp"
#include "../core/waker.hpp"
#include "abort_handle.hpp"
#include "detail/scheduler.hpp"
#include "detail/task/task.hpp"
#include "join_error.hpp"
#include "join_handle.hpp"

namespace pollen {

/// Why a scope of `Result<U, E>` children failed: the first child's own
/// error `E`, or a JoinError for a child that threw (`is_panic`) or was
/// cancelled.
template <class E>
class ScopeError {
public:
    static ScopeError child(E e) { return ScopeError(std::in_place_index<0>, std::move(e)); }
    static ScopeError join(JoinError e) { return ScopeError(std::in_place_index<1>, std::move(e)); }

    /// The child returned Err(e).
    bool is_child_error() const noexcept { return v_.index() == 0; }
    /// The child threw or was cancelled.
    bool is_join_error() const noexcept { return v_.index() == 1; }

    E& child_error() & { assert(is_child_error()); return std::get<0>(v_); }
    const E& child_error() const& { assert(is_child_error()); return std::get<0>(v_); }
    E&& child_error() && { assert(is_child_error()); return std::get<0>(std::move(v_)); }
    const JoinError& join_error() const { assert(is_join_error()); return std::get<1>(v_); }

    /// The child's error; a JoinError is thrown again instead (the child's
    /// own exception; std::runtime_error for a cancellation), as Rust's
    /// `resume_unwind` would: for callers that treat a panic as a panic.
    E into_child_error() && {
        if (is_join_error()) std::get<1>(v_).rethrow();
        return std::get<0>(std::move(v_));
    }

    bool operator==(const ScopeError&) const = default;

private:
    template <std::size_t I, class A>
    ScopeError(std::in_place_index_t<I> i, A&& a) : v_(i, std::forward<A>(a)) {}
    std::variant<E, JoinError> v_;
};

namespace detail {

/// What join() makes of the children's results.
template <class T>
struct ScopeJoinTraits {
    using Error = JoinError;
    using Value = T;
    static bool failed(const Result<T, JoinError>& r) { return r.is_err(); }
    static Error error_of(Result<T, JoinError>&& r) { return std::move(r).error(); }
    static auto value_of(Result<T, JoinError>&& r) { return std::move(r).value(); }
};
template <class U, class E>
struct ScopeJoinTraits<Result<U, E>> {
    using Error = ScopeError<E>;
    using Value = U;
    static bool failed(const Result<Result<U, E>, JoinError>& r) { return r.is_err() || r.value().is_err(); }
    static Error error_of(Result<Result<U, E>, JoinError>&& r) {
        if (r.is_err()) return Error::join(std::move(r).error());
        return Error::child(std::move(r).value().error());
    }
    static auto value_of(Result<Result<U, E>, JoinError>&& r) { return std::move(r).value().value(); }
};

template <class Value, class Error>
using scope_join_output_t =
    std::conditional_t<std::is_void_v<Value>, Result<void, Error>, Result<std::vector<Value>, Error>>;

}  // namespace detail

template <class T>
class TaskScope {
    using Traits = detail::ScopeJoinTraits<T>;

public:
    /// The error join() gives: ScopeError<E> for Result<U, E> children, else JoinError.
    using Error = typename Traits::Error;
    /// join()'s output (see the header comment).
    using Output = detail::scope_join_output_t<typename Traits::Value, Error>;

    TaskScope() : shared_(std::make_shared<Shared>()) {}
    /// Only while it has no children (aborts otherwise).
    TaskScope(TaskScope&& other) noexcept : shared_(std::move(other.shared_)) {
        if (!other.children_.empty()) {
            std::fputs("pollen: a TaskScope was moved while it had children (they hold its address); "
                       "move it only before its first spawn\n", stderr);
            std::abort();
        }
    }
    TaskScope& operator=(TaskScope&&) = delete;
    TaskScope(const TaskScope&) = delete;
    TaskScope& operator=(const TaskScope&) = delete;
    ~TaskScope() {
        if (shared_) reap_all();
    }

    /// Spawns `fut` as a child on the current runtime. Throws
    /// std::logic_error outside a runtime.
    template <Future F>
    AbortHandle spawn(F fut, std::source_location loc = std::source_location::current()) {
        static_assert(std::is_same_v<output_t<F>, T>,
                      "pollen::TaskScope<T>::spawn: the child's Output must be T (map it first)");
        assert(shared_ && "pollen: TaskScope used after it was moved from");
        detail::Scheduler* sched = detail::current_scheduler();
        if (!sched)
            throw std::logic_error(
                "pollen::TaskScope::spawn called outside a runtime: call it from a task or inside block_on");
        std::size_t index;
        bool doomed;
        {
            std::lock_guard lock(shared_->mu);
            index = children_.size();
            children_.emplace_back();  // reserved: the child knows its index before it runs
            doomed = shared_->failed || shared_->closed;
        }
        std::optional<Waker> waker;
        detail::Header* task;
        try {
            waker.emplace(waker_from(std::make_shared<ChildWake>(ChildWake{shared_, index})));
            task = detail::new_task(*sched, Child<F>(std::move(fut), this, shared_, index), loc);
        } catch (...) {
            // Nothing was spawned: the slot reports the spawn's failure.
            JoinError e = JoinError::panic(0, std::current_exception());
            std::optional<Waker> wake_join = settle(index, [&](Slot& s) { s.result.emplace(Err(std::move(e))); });
            if (wake_join) std::move(*wake_join).wake();
            throw;
        }
        JoinHandle<T> handle(task);
        AbortHandle abort = handle.abort_handle();
        if (doomed) abort.abort();  // before it is submitted: it is never polled
        sched->submit_new(task);
        std::optional<Waker> wake_join = settle(index, [&](Slot& s) {
            s.task = task;
            s.handle.emplace(std::move(handle));
            s.waker = std::move(waker);
            if (shared_->failed || shared_->closed) abort.abort();  // a failure that raced this spawn
        });
        if (wake_join) std::move(*wake_join).wake();
        return abort;
    }
    // What is not a future (a closure, mostly) is refused with pollen's message.
    template <class F>
        requires(!Future<F>)
    auto spawn(F, std::source_location = std::source_location::current()) {
        static_assert(is_future_v<F>,
                      "pollen::TaskScope::spawn takes a future (a type with Output and poll(Context&)), not a "
                      "closure: pass the future itself, spawn(make_future()); wrap plain code in "
                      "pollen::future::lazy([] { ... })");
    }

    class Join : public FutureExt<Join> {
    public:
        using Output = TaskScope::Output;
        explicit Join(TaskScope& scope) : scope_(&scope) {}
        Poll<Output> poll(Context& cx) { return scope_->poll_join(cx); }

    private:
        TaskScope* scope_;
    };
    /// Waits for every child (see the header comment); borrows the scope.
    Join join() { return Join(*this); }

    /// One poll of join() (for hand-written futures holding a scope).
    Poll<Output> poll_join(Context& cx) {
        for (;;) {
            Slot* s;
            std::size_t index;
            {
                std::lock_guard lock(shared_->mu);
                if (shared_->notified.empty()) {
                    if (joined_ == children_.size()) break;
                    if (!shared_->join_waker || !shared_->join_waker->will_wake(cx.waker()))
                        shared_->join_waker.emplace(cx.waker());
                    return pending;
                }
                index = shared_->notified.back();
                shared_->notified.pop_back();
                if (index >= children_.size()) continue;  // a late wake from an earlier round
                s = &children_[index];
                if (s->joined) continue;
                if (!s->handle && !s->result) continue;  // its spawn is under way; it notifies again
            }
            if (!s->result) {
                Context child_cx(*s->waker);
                auto p = s->handle->poll(child_cx);
                if (p.is_pending()) {
                    if (!coop::has_budget_remaining()) {
                        // Refused for want of budget (its slot was re-queued):
                        // yield rather than spin, as JoinSet does.
                        cx.waker().wake_by_ref();
                        return pending;
                    }
                    continue;
                }
                s->result.emplace(p.take());
            }
            s->joined = true;
            ++joined_;
            if (Traits::failed(*s->result)) fail(*shared_, this, index);
        }
        return Ready<Output>{finish()};
    }

private:
    /// What a child's completion (its JoinHandle's waker) may touch, possibly
    /// after the scope is gone.
    struct Shared {
        std::mutex mu;
        std::vector<std::size_t> notified;  // children whose JoinHandle may be ready
        std::optional<Waker> join_waker;
        std::optional<std::size_t> failed;  // the first child to fail
        bool closed = false;                // the scope is being destroyed
    };
    struct ChildWake {
        std::shared_ptr<Shared> shared;
        std::size_t index;
        void wake() {
            std::optional<Waker> w;
            {
                std::lock_guard lock(shared->mu);
                shared->notified.push_back(index);
                w = std::move(shared->join_waker);
                shared->join_waker.reset();
            }
            if (w) std::move(*w).wake();
        }
    };
    /// One child. Appended under the lock; after that `task`, `handle` and
    /// `waker` are written once (under the lock) and the rest belongs to join().
    struct Slot {
        detail::Header* task = nullptr;  // kept alive by `handle`
        std::optional<JoinHandle<T>> handle;
        std::optional<Waker> waker;
        std::optional<Result<T, JoinError>> result;
        bool joined = false;
    };

    /// The child's future: reports its own failure to the scope, from the
    /// thread that polls it, so the siblings are cancelled at once. It holds
    /// the Shared part too: a child that destroyed its own scope during this
    /// poll finds it closed there and touches the scope no more.
    template <class F>
    class Child : public FutureExt<Child<F>> {
    public:
        using Output = T;
        Child(F f, TaskScope* scope, std::shared_ptr<Shared> shared, std::size_t index)
            : fut_(std::move(f)), scope_(scope), shared_(std::move(shared)), index_(index) {}
        Poll<T> poll(Context& cx) {
            try {
                Poll<T> p = fut_.poll(cx);
                if constexpr (is_result_v<T>) {
                    if (p.is_ready() && p.value().is_err()) fail(*shared_, scope_, index_);
                }
                return p;
            } catch (...) {
                fail(*shared_, scope_, index_);
                throw;  // the task turns it into the child's panic JoinError
            }
        }

    private:
        F fut_;
        TaskScope* scope_;
        std::shared_ptr<Shared> shared_;
        std::size_t index_;
    };

    /// Fills a reserved slot and queues it for join(); returns join()'s waker
    /// to wake outside the lock.
    template <class Fill>
    std::optional<Waker> settle(std::size_t index, Fill&& fill) {
        std::lock_guard lock(shared_->mu);
        fill(children_[index]);
        shared_->notified.push_back(index);  // polled once to register its waker
        std::optional<Waker> w = std::move(shared_->join_waker);
        shared_->join_waker.reset();
        return w;
    }

    /// The first failure wins: it cancels every sibling. `scope` is touched
    /// only while not closed (the destructor closes it before anything else).
    static void fail(Shared& shared, TaskScope* scope, std::size_t index) {
        std::lock_guard lock(shared.mu);
        if (shared.failed || shared.closed) return;
        shared.failed = index;
        for (std::size_t i = 0; i < scope->children_.size(); ++i)
            if (i != index && scope->children_[i].task) detail::abort_task(scope->children_[i].task);
    }

    /// Every child is joined: empties the scope and makes the output.
    Output finish() {
        std::deque<Slot> done;
        std::optional<std::size_t> failed;
        {
            std::lock_guard lock(shared_->mu);
            done.swap(children_);
            failed = std::exchange(shared_->failed, std::nullopt);
            shared_->notified.clear();
            shared_->join_waker.reset();
            joined_ = 0;
        }
        if (failed) return Output(Err(Traits::error_of(std::move(*done[*failed].result))));
        if constexpr (std::is_void_v<typename Traits::Value>) {
            return Output(Ok());
        } else {
            std::vector<typename Traits::Value> values;
            values.reserve(done.size());
            for (Slot& s : done) values.push_back(Traits::value_of(std::move(*s.result)));
            return Output(Ok(std::move(values)));
        }
    }

    /// Cancels every child and returns once each one's future is destroyed:
    /// all are cancelled first (idle ones in place), then the running ones
    /// awaited. Children spawned meanwhile (by a child's last poll) are
    /// reaped in the next round.
    void reap_all() {
        std::size_t from = 0;
        std::vector<detail::Header*> batch, running;
        for (;;) {
            batch.clear();
            running.clear();
            bool spawn_under_way = false;
            {
                std::lock_guard lock(shared_->mu);
                shared_->closed = true;
                shared_->join_waker.reset();
                for (; from < children_.size(); ++from) {
                    Slot& s = children_[from];
                    if (s.task) batch.push_back(s.task);
                    else if (!s.result) {
                        spawn_under_way = true;
                        break;
                    }
                }
            }
            if (batch.empty() && !spawn_under_way) return;
            for (detail::Header* t : batch)
                if (detail::start_reap(t)) running.push_back(t);
            for (detail::Header* t : running) detail::wait_reaped(t);
            if (spawn_under_way && batch.empty()) std::this_thread::yield();
        }
    }

    std::shared_ptr<Shared> shared_;
    std::deque<Slot> children_;  // grows under shared_->mu; elements never move
    std::size_t joined_ = 0;     // join()'s count of children whose result it holds
};

}  // namespace pollen
