#pragma once
/// Notify: wakes tasks waiting for an event, Tokio's `sync::Notify`.
///
///     pollen::Notify notify;
///     notify.notified()        // future, Ready once notified
///     notify.notify_one()      // wakes the oldest waiter, or stores one permit
///     notify.notify_waiters()  // wakes every waiter that exists now; stores nothing
///
/// `notify_one` with nobody waiting stores a single permit (further calls
/// add nothing), which the next `notified()` consumes at its first poll, so
/// a notification sent just before the wait is not lost. `notify_waiters`
/// completes every Notified future *created* before the call, polled or not:
/// each future records the number of `notify_waiters` calls at creation and
/// is done as soon as it sees that number change (Tokio's generation rule),
/// checked before the permit: such a future never takes a permit stored by
/// `notify_one`, which stays for the next `notified()`. `enable()` queues a
/// future without a waker, as its first poll would.
///
/// A waker whose `wake` throws inside `notify_waiters` stops nothing: every
/// other waiter is still woken (Tokio leaves the rest of that batch unwoken),
/// the wait list is left consistent, and the first exception then propagates
/// to the caller of `notify_waiters`.
///
/// Notified's poll is Ready once notified, else Pending with the task's
/// waker queued (FIFO); whoever calls notify_* wakes it, from any thread.
/// Destroying a Notified mid-way unlinks it; if `notify_one` had already
/// picked it, the notification goes to the next waiter (or becomes the
/// permit), so none is lost. Notified draws on the cooperative budget and
/// must not be moved after its first poll (or `enable()`).

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

#include "../core/coop.hpp"
#include "../core/detail/adaptive_mutex.hpp"
#include "../core/future_ext.hpp"
#include "detail/wait_list.hpp"

namespace pollen {

class Notify;

namespace detail {
struct NotifyWaiter : Waiter {
    static constexpr std::uint8_t kNone = 0, kOne = 1, kAll = 2;
    /// Set (last) by the notifier after unlinking the node and taking its waker.
    std::atomic<std::uint8_t> notification{kNone};
};
}  // namespace detail

/// The future of `Notify::notified()`.
class Notified : public FutureExt<Notified> {
public:
    using Output = void;

    Notified(Notified&& other) noexcept
        : notify_(other.notify_), generation_(other.generation_), state_(other.state_), pin_(std::move(other.pin_)) {
        assert(other.state_ != State::Waiting && "pollen: a waiting Notified was moved");
    }
    Notified& operator=(Notified&&) = delete;
    ~Notified() {
        if (state_ == State::Waiting) cancel();
    }

    Poll<void> poll(Context& cx) {
        pin_.on_poll(this);
        if (!coop::poll_proceed(cx)) return pending;
        if (poll_notified(&cx.waker())) return ready();
        coop::refund();
        return pending;
    }

    /// Queues this future without a waker, so a later `notify_one` may pick
    /// it; true when it is already notified. Pins it like a poll.
    bool enable() {
        pin_.on_poll(this);
        return poll_notified(nullptr);
    }

    /// For task dumps (core/trace.hpp): the Notify's address.
    void describe(TraceVisitor& v) const {
        v.waits_on("notified() of Notify " + trace::address(notify_) + (state_ == State::Waiting ? " (queued)" : ""));
    }

private:
    friend class Notify;
    enum class State : std::uint8_t { Init, Waiting, Done };

    Notified(Notify* n, std::size_t generation) : notify_(n), generation_(generation) {}
    bool poll_notified(const Waker* waker);
    void cancel();

    Notify* notify_;
    std::size_t generation_;  ///< notify_waiters calls when created
    State state_ = State::Init;
    detail::NotifyWaiter node_;
    [[no_unique_address]] detail::PinCheck pin_;
};

class Notify {
public:
    Notify() = default;
    Notify(const Notify&) = delete;
    Notify& operator=(const Notify&) = delete;

    /// A future that completes at the next notification (see above).
    Notified notified() { return Notified(this, state_.load(std::memory_order_seq_cst) >> kGenShift); }

    /// Wakes the oldest waiter, or stores one permit when none waits.
    void notify_one() { notify(false); }
    /// As notify_one, but wakes the newest waiter (Tokio's `notify_last`).
    void notify_last() { notify(true); }
    /// Completes every Notified created before this call; stores no permit.
    void notify_waiters();

private:
    friend class Notified;
    // state_: the low 2 bits say EMPTY / WAITING (the list is non-empty) /
    // NOTIFIED (a permit is stored); the rest counts notify_waiters calls.
    static constexpr std::size_t kEmpty = 0, kWaiting = 1, kNotified = 2, kStateMask = 3;
    static constexpr int kGenShift = 2;
    static std::size_t with_state(std::size_t s, std::size_t st) { return (s & ~kStateMask) | st; }

    void notify(bool last);
    /// Under the lock: picks a waiter (returns its waker) or stores the permit.
    std::optional<Waker> notify_locked(bool last);

    std::atomic<std::size_t> state_{kEmpty};
    detail::AdaptiveMutex mu_;
    detail::WaitList<detail::NotifyWaiter> waiters_;
};

}  // namespace pollen
