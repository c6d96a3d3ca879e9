#pragma once
/// JoinSet<T>: a set of spawned tasks whose results are taken in completion
/// order (Tokio's `JoinSet`). `join_next()` is a future of
/// `std::optional<Result<T, JoinError>>`: the next task to finish, or nullopt
/// when the set is empty. Only tasks that were woken are polled, so taking n
/// results costs O(n), not O(n²).
///
/// Destroying a JoinSet aborts every task still in it; destroying a
/// `join_next()` future mid-way loses nothing (the task stays in the set).

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <utility>
#include <vector>

#include "handle.hpp"

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

    JoinSet() : shared_(std::make_shared<Shared>()) {}
    JoinSet(JoinSet&&) noexcept = default;
    JoinSet& operator=(JoinSet&&) noexcept = default;
    ~JoinSet() {
        if (shared_) abort_all();
    }

    /// Spawns `fut` on the current runtime and adds it to the set.
    template <Future F>
    void spawn(F fut, std::source_location loc = std::source_location::current()) {
        insert(pollen::spawn(std::move(fut), loc));
    }
    /// Spawns on a given runtime handle.
    template <Future F>
    void spawn_on(F fut, const Handle& handle,
                  std::source_location loc = std::source_location::current()) {
        insert(handle.spawn(std::move(fut), loc));
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
    /// Adds an existing task.
    void insert(JoinHandle<T> handle) {
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

    private:
        JoinSet* set_;
    };
    /// The next result in completion order; nullopt when the set is empty.
    JoinNext join_next() { return JoinNext(*this); }

    /// One poll of join_next (for hand-written futures holding a JoinSet).
    Poll<Output> poll_join_next(Context& cx) {
        if (len_ == 0) return Ready<Output>{std::nullopt};
        for (;;) {
            std::size_t slot;
            {
                std::lock_guard lock(shared_->mu);
                if (shared_->notified.empty()) {
                    if (!shared_->waker || !shared_->waker->will_wake(cx.waker()))
                        shared_->waker.emplace(cx.waker());
                    return pending;
                }
                slot = shared_->notified.back();
                shared_->notified.pop_back();
            }
            if (slot >= slots_.size() || !slots_[slot]) continue;  // stale notification
            Context slot_cx(slots_[slot]->waker);
            auto p = slots_[slot]->handle.poll(slot_cx);
            if (p.is_ready()) {
                slots_[slot].reset();
                free_.push_back(slot);
                --len_;
                return Ready<Output>{Output(p.take())};
            }
        }
    }

private:
    std::shared_ptr<Shared> shared_;
    std::vector<std::optional<Slot>> slots_;
    std::vector<std::size_t> free_;
    std::size_t len_ = 0;
};

}  // namespace pollen
