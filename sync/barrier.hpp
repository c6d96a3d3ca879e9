#pragma once
/// Barrier: lets `n` tasks wait until all of them reached a point, Tokio's
/// `sync::Barrier`. Reusable: after the n-th arrival it starts over.
///
///     pollen::Barrier barrier(3);
///     barrier.wait()   // future: BarrierWaitResult; exactly one of each n is_leader()
///
/// A `wait()` future arrives at its first poll (like Tokio's async fn, whose
/// body starts there): the n-th arrival is the leader and is Ready at once,
/// waking the other n-1 from its thread; the others are Pending until then.
/// Destroying a waiting future mid-way unlinks it but does not take back its
/// arrival (as in Tokio), so the others are never stranded by it. The future
/// draws on the cooperative budget and must not be moved after its first poll.
/// `Barrier(0)` behaves as `Barrier(1)`. A waker that throws while the
/// leader releases the round stops nothing: the whole round is released and
/// woken, then the exception propagates from the leader's poll.

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "../core/coop.hpp"
#include "../core/future_ext.hpp"
#include "detail/wait_list.hpp"

namespace pollen {

class Barrier;

/// What `Barrier::wait()` gives: one arrival of each round is the leader.
class BarrierWaitResult {
public:
    explicit BarrierWaitResult(bool leader) : leader_(leader) {}
    bool is_leader() const { return leader_; }

private:
    bool leader_;
};

namespace detail {
struct BarrierWaiter : Waiter {
    std::atomic<bool> released{false};  ///< set last by the leader
};
}  // namespace detail

/// The future of `Barrier::wait()`.
class BarrierWait : public FutureExt<BarrierWait> {
public:
    using Output = BarrierWaitResult;

    BarrierWait(BarrierWait&& other) noexcept : barrier_(other.barrier_), pin_(std::move(other.pin_)) {
        assert(other.state_ == State::Init && "pollen: a waiting BarrierWait was moved");
    }
    BarrierWait& operator=(BarrierWait&&) = delete;
    ~BarrierWait() {
        if (state_ == State::Waiting) cancel();
    }

    Poll<Output> poll(Context& cx);
    /// For task dumps (core/trace.hpp): the Barrier's address.
    void describe(TraceVisitor& v) const {
        v.waits_on("wait on Barrier " + trace::address(barrier_) + (state_ == State::Waiting ? " (queued)" : ""));
    }

private:
    friend class Barrier;
    enum class State : std::uint8_t { Init, Waiting, Done };
    explicit BarrierWait(Barrier* b) : barrier_(b) {}
    void cancel();

    Barrier* barrier_;
    State state_ = State::Init;
    detail::BarrierWaiter node_;
    [[no_unique_address]] detail::PinCheck pin_;
};

class Barrier {
public:
    explicit Barrier(std::size_t n) : n_(n == 0 ? 1 : n) {}
    Barrier(const Barrier&) = delete;
    Barrier& operator=(const Barrier&) = delete;

    BarrierWait wait() { return BarrierWait(this); }

private:
    friend class BarrierWait;
    std::size_t n_;
    std::mutex mu_;
    std::size_t arrived_ = 0;  ///< guarded by mu_
    detail::WaitList<detail::BarrierWaiter> waiters_;
};

}  // namespace pollen
