// Barrier's arrival and release (see barrier.hpp for the contract).
#include "barrier.hpp"

#include "detail/wake_list.hpp"

namespace pollen {

Poll<BarrierWaitResult> BarrierWait::poll(Context& cx) {
    pin_.on_poll(this);
    if (!coop::poll_proceed(cx)) return pending;
    Barrier& b = *barrier_;
    if (state_ == State::Init) {
        std::optional<Waker> clone(cx.waker());  // foreign code: outside the lock
        std::unique_lock lock(b.mu_);
        if (++b.arrived_ < b.n_) {
            node_.waker = std::move(clone);
            b.waiters_.push_back(&node_);
            state_ = State::Waiting;
            coop::refund();
            return pending;
        }
        // The leader: release this round, in batches with the lock released;
        // arrivals of the next round queue on the emptied list meanwhile.
        b.arrived_ = 0;
        detail::WaitList<detail::BarrierWaiter> round;
        b.waiters_.move_all_to(round);
        std::exception_ptr thrown = detail::release_waiters(round, lock, [](detail::BarrierWaiter& w) {
            w.released.store(true, std::memory_order_release);
        });
        state_ = State::Done;
        // A waker threw: the round was released and woken all the same; now
        // the leader's poll unwinds.
        if (thrown) std::rethrow_exception(thrown);
        return Ready<BarrierWaitResult>{BarrierWaitResult(true)};
    }
    if (state_ == State::Waiting) {
        if (!node_.released.load(std::memory_order_acquire)) {
            std::optional<Waker> old;  // released after the lock
            std::lock_guard lock(b.mu_);
            if (!node_.released.load(std::memory_order_relaxed)) {
                old = node_.set_waker(cx.waker());
                coop::refund();
                return pending;
            }
        }
        state_ = State::Done;
    }
    return Ready<BarrierWaitResult>{BarrierWaitResult(false)};
}

void BarrierWait::cancel() {
    std::lock_guard lock(barrier_->mu_);
    node_.unlink();
}

}  // namespace pollen
