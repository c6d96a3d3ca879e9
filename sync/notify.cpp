// Notify's locked paths (see notify.hpp for the contract).
#include "notify.hpp"

#include "detail/wake_list.hpp"

namespace pollen {

void Notify::notify(bool last) {
    std::size_t curr = state_.load(std::memory_order_seq_cst);
    // Nobody waits: store the permit without the lock.
    while ((curr & kStateMask) != kWaiting) {
        if (state_.compare_exchange_weak(curr, with_state(curr, kNotified), std::memory_order_seq_cst))
            return;
    }
    std::optional<Waker> w;
    {
        std::lock_guard lock(mu_);
        w = notify_locked(last);
    }
    if (w) std::move(*w).wake();
}

std::optional<Waker> Notify::notify_locked(bool last) {
    std::size_t curr = state_.load(std::memory_order_seq_cst);
    for (;;) {
        if ((curr & kStateMask) == kWaiting) break;
        if (state_.compare_exchange_weak(curr, with_state(curr, kNotified), std::memory_order_seq_cst))
            return std::nullopt;
    }
    detail::NotifyWaiter* w = last ? waiters_.pop_back() : waiters_.pop_front();
    assert(w != nullptr);
    std::optional<Waker> waker = std::move(w->waker);
    w->waker.reset();
    w->notification.store(detail::NotifyWaiter::kOne, std::memory_order_release);
    if (waiters_.empty()) state_.store(with_state(curr, kEmpty), std::memory_order_seq_cst);
    return waker;
}

void Notify::notify_waiters() {
    // Nobody queued: only the generation moves (a stored permit stays), and
    // without the lock. Queueing turns the state to WAITING by a CAS under the
    // lock that re-checks the generation, so either that CAS sees this bump
    // (and the future completes) or this CAS sees WAITING (and takes the lock).
    std::size_t curr = state_.load(std::memory_order_seq_cst);
    while ((curr & kStateMask) != kWaiting) {
        if (state_.compare_exchange_weak(curr, curr + (std::size_t{1} << kGenShift), std::memory_order_seq_cst))
            return;
    }
    std::unique_lock lock(mu_);
    curr = state_.load(std::memory_order_seq_cst);
    if ((curr & kStateMask) != kWaiting) {
        state_.fetch_add(std::size_t{1} << kGenShift, std::memory_order_seq_cst);
        return;
    }
    state_.store(with_state(curr + (std::size_t{1} << kGenShift), kEmpty), std::memory_order_seq_cst);
    // Move this generation's waiters aside: those queued while we wake in
    // batches (lock released) belong to the next generation. A waiter
    // destroyed meanwhile unlinks itself from this local list.
    detail::WaitList<detail::NotifyWaiter> batch;
    waiters_.move_all_to(batch);
    std::exception_ptr thrown = detail::release_waiters(batch, lock, [](detail::NotifyWaiter& w) {
        w.notification.store(detail::NotifyWaiter::kAll, std::memory_order_release);
    });
    // A waker threw: every waiter was still released and woken; now it may unwind.
    if (thrown) std::rethrow_exception(thrown);
}

bool Notified::poll_notified(const Waker* waker) {
    Notify& n = *notify_;
    switch (state_) {
        case State::Done:
            return true;
        case State::Init: {
            std::size_t curr = n.state_.load(std::memory_order_seq_cst);
            // notify_waiters was called since this future was made: it is
            // done, and a stored permit stays for the next notified().
            if ((curr >> Notify::kGenShift) != generation_) {
                state_ = State::Done;
                return true;
            }
            // A stored permit, taken without the lock. The CAS compares the
            // generation too, so a notify_waiters landing now makes it fail.
            if ((curr & Notify::kStateMask) == Notify::kNotified &&
                n.state_.compare_exchange_strong(curr, Notify::with_state(curr, Notify::kEmpty),
                                                 std::memory_order_seq_cst)) {
                state_ = State::Done;
                return true;
            }
            std::optional<Waker> clone;
            if (waker) clone.emplace(*waker);  // foreign code: outside the lock
            std::lock_guard lock(n.mu_);
            curr = n.state_.load(std::memory_order_seq_cst);
            for (;;) {
                // Checked again after every failed CAS: notify_waiters moves
                // the generation without the lock.
                if ((curr >> Notify::kGenShift) != generation_) {
                    state_ = State::Done;
                    return true;
                }
                std::size_t st = curr & Notify::kStateMask;
                if (st == Notify::kWaiting) break;
                if (st == Notify::kNotified) {
                    if (n.state_.compare_exchange_weak(curr, Notify::with_state(curr, Notify::kEmpty),
                                                       std::memory_order_seq_cst)) {
                        state_ = State::Done;
                        return true;
                    }
                    continue;
                }
                if (n.state_.compare_exchange_weak(curr, Notify::with_state(curr, Notify::kWaiting),
                                                   std::memory_order_seq_cst))
                    break;
            }
            node_.waker = std::move(clone);
            n.waiters_.push_back(&node_);
            state_ = State::Waiting;
            return false;
        }
        case State::Waiting: {
            if (node_.notification.load(std::memory_order_acquire) != detail::NotifyWaiter::kNone) {
                // Unlinked and untouched by the notifier from here on.
                node_.waker.reset();
                state_ = State::Done;
                return true;
            }
            std::optional<Waker> old;  // released after the lock
            std::lock_guard lock(n.mu_);
            if (node_.notification.load(std::memory_order_relaxed) != detail::NotifyWaiter::kNone) {
                old = std::move(node_.waker);
                node_.waker.reset();
                state_ = State::Done;
                return true;
            }
            std::size_t curr = n.state_.load(std::memory_order_seq_cst);
            if ((curr >> Notify::kGenShift) != generation_) {
                // A notify_waiters is between batches and has us in its local
                // list: we count as notified, so leave that list now.
                old = node_.leave();
                state_ = State::Done;
                return true;
            }
            if (waker) old = node_.set_waker(*waker);
            return false;
        }
    }
    return false;
}

void Notified::cancel() {
    Notify& n = *notify_;
    std::optional<Waker> forward;
    {
        std::lock_guard lock(n.mu_);
        std::uint8_t notification = node_.notification.load(std::memory_order_relaxed);
        node_.unlink();
        std::size_t curr = n.state_.load(std::memory_order_seq_cst);
        if (n.waiters_.empty() && (curr & Notify::kStateMask) == Notify::kWaiting)
            n.state_.store(Notify::with_state(curr, Notify::kEmpty), std::memory_order_seq_cst);
        // Picked by notify_one but never told: the notification moves on.
        if (notification == detail::NotifyWaiter::kOne) forward = n.notify_locked(false);
    }
    if (forward) std::move(*forward).wake();
    state_ = State::Done;
}

}  // namespace pollen
