#pragma once
/// detail::Chan<T, Sem>: the one allocation an mpsc channel's handles share
/// (Tokio's `chan::Chan`): the block list, the receiver's AtomicWaker, the
/// capacity accounting (`Sem`: BoundedSemaphore or UnboundedSemaphore), the
/// sender count, and the queue of `Sender::closed()` futures (sync's
/// WaitList, under its own mutex).
///
/// References: all Senders together hold one (dropped with the last Sender,
/// which also appends the close marker and wakes the receiver), the Receiver
/// holds one, each WeakSender one. Futures and Permits borrow their handle's Chan, like Rust's
/// `&self` futures, so they take no reference of their own.
/// Receiver-side fields are touched only by the Receiver's owner.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "../../core/atomic_waker.hpp"
#include "../../core/context.hpp"
#include "../../core/coop.hpp"
#include "../../core/poll.hpp"
#include "../../core/waker.hpp"
#include "../../sync/detail/wait_list.hpp"
#include "../../sync/detail/wake_list.hpp"
#include "mpsc_list.hpp"
#include "mpsc_semaphore.hpp"

namespace pollen::mpsc::detail {

enum class TryRecv : std::uint8_t { Value, Empty, Disconnected };

template <class T, class Sem>
class Chan {
public:
    template <class... A>
    explicit Chan(A&&... sem_args) : sem_(std::forward<A>(sem_args)...) {}
    Chan(const Chan&) = delete;
    Chan& operator=(const Chan&) = delete;

    Sem& sem() { return sem_; }

    // ------------------------------------------------------------- handles

    void add_sender() { tx_count_.fetch_add(1, std::memory_order_relaxed); }
    void drop_sender() {
        if (tx_count_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        list_.close();
        rx_waker_.wake();
        release_ref();
    }
    std::size_t sender_count() const { return tx_count_.load(std::memory_order_acquire); }
    /// A new Sender from a WeakSender: only while some Sender is alive (once
    /// the count reached 0 the channel is closed for good).
    bool try_add_sender() {
        std::size_t n = tx_count_.load(std::memory_order_relaxed);
        while (n != 0)
            if (tx_count_.compare_exchange_weak(n, n + 1, std::memory_order_acq_rel, std::memory_order_relaxed))
                return true;
        return false;
    }

    /// A WeakSender's reference: keeps the allocation, not the channel, alive.
    void add_ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release_ref() {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    // ------------------------------------------------------------- senders

    /// Appends a value whose capacity was already accounted for.
    template <class U>
    void push(U&& value) {
        list_.push(std::forward<U>(value));
        notify_rx();
    }

    /// After permits came back unused (a dropped Permit, a cancelled send
    /// that had been handed its slot): a closed receiver may be waiting for
    /// the last outstanding one.
    void permit_returned() {
        if (sem_.is_closed() && sem_.is_idle()) rx_waker_.wake();
    }
    /// Gives back `n` slots reserved but never used (bounded channels).
    void return_permits(std::size_t n) {
        sem_.release(n);
        permit_returned();
    }

    bool rx_closed() const { return rx_closed_flag_.load(std::memory_order_acquire); }

    /// The `closed()` poll: Ready once the receiver closed or is gone.
    bool poll_closed(pollen::detail::Waiter& node, const Waker& waker) {
        if (rx_closed()) return true;
        std::optional<Waker> old;  // dropped after unlocking
        std::lock_guard lock(closed_mu_);
        if (rx_closed()) return true;
        old = node.set_waker(waker);
        if (!node.is_linked()) closed_waiters_.push_back(&node);
        return false;
    }
    void cancel_closed(pollen::detail::Waiter& node) {
        std::optional<Waker> old;  // dropped after unlocking
        std::lock_guard lock(closed_mu_);
        old = node.leave();
    }

    // ------------------------------------------------------------ receiver

    /// The receive poll; draws on the cooperative budget. Each outcome is
    /// written once (both pops share them), which keeps the poll small
    /// enough for the compiler to inline it into the receiving future.
    Poll<std::optional<T>> poll_recv(Context& cx) {
        if (!coop::poll_proceed(cx)) return pending;
        std::optional<T> out;
        Read r = list_.pop(out);
        if (r == Read::Empty) {
            arm_rx(cx);
            // Again: a value may have landed between the first pop and the arming.
            r = list_.pop(out);
        }
        switch (r) {
            case Read::Value: sem_.release(); return Ready<std::optional<T>>{std::move(out)};
            case Read::Closed: return Ready<std::optional<T>>{std::nullopt};
            case Read::Empty: break;
        }
        if (rx_closed_ && sem_.is_idle()) return Ready<std::optional<T>>{std::nullopt};
        coop::refund();
        return pending;
    }

    /// `recv_many`'s poll: appends up to `limit` values to `buf`, Ready with
    /// how many once there is at least one, Ready(0) when `limit` is 0 or
    /// the channel is closed and drained. One unit of cooperative budget per
    /// call, however many values it takes (as Tokio's).
    Poll<std::size_t> poll_recv_many(Context& cx, std::vector<T>& buf, std::size_t limit) {
        if (!coop::poll_proceed(cx)) return pending;
        if (limit == 0) return Ready<std::size_t>{0};
        std::size_t n = 0;
        if (pop_many(buf, limit, n) != Read::Empty || n > 0) return Ready<std::size_t>{n};
        arm_rx(cx);  // then look again, as poll_recv does
        if (pop_many(buf, limit, n) != Read::Empty || n > 0) return Ready<std::size_t>{n};
        if (rx_closed_ && sem_.is_idle()) return Ready<std::size_t>{0};
        coop::refund();
        return pending;
    }

    /// Values in the channel now (claimed by senders, not yet received).
    std::size_t len() const { return list_.len(); }

    /// A value if one is there; Disconnected once nothing more can come.
    /// A send that claimed its slot but has not finished writing is waited
    /// for (it is only a few instructions away), as Tokio does.
    TryRecv try_recv(std::optional<T>& out) {
        for (;;) {
            switch (list_.pop(out)) {
                case Read::Value: sem_.release(); return TryRecv::Value;
                case Read::Closed: return TryRecv::Disconnected;
                case Read::Empty: break;
            }
            if (rx_closed_ && sem_.is_idle()) return TryRecv::Disconnected;
            if (!list_.write_in_progress()) return TryRecv::Empty;
            std::this_thread::yield();
        }
    }

    /// The receiver stops the channel: senders fail from now on, values
    /// already buffered (or sent through permits already held) stay receivable.
    /// A waker that throws stops nothing: every waiting sender and `closed()`
    /// future is still released and woken, then the first exception leaves.
    void close_rx() {
        if (rx_closed_) return;
        rx_closed_ = true;
        std::exception_ptr thrown;
        try {
            sem_.close();
        } catch (...) {
            thrown = std::current_exception();
        }
        // No `closed()` future queues once the flag is up (checked under the
        // lock), so the list is released in place.
        std::unique_lock lock(closed_mu_);
        rx_closed_flag_.store(true, std::memory_order_release);
        std::exception_ptr e = pollen::detail::release_waiters(closed_waiters_, lock);
        if (!thrown) thrown = std::move(e);
        if (thrown) std::rethrow_exception(thrown);
    }

    bool is_rx_closed_by_receiver() const { return rx_closed_; }

    /// The Receiver goes away: close, destroy what is buffered, let go.
    /// Its registered waker goes too, now rather than with the last Sender:
    /// nothing will wake it any more, and holding it would keep the
    /// receiving task's memory alive for as long as any Sender lives.
    void drop_rx() {
        close_rx();
        drain();
        { std::optional<Waker> gone = rx_waker_.take(); }
        release_ref();
    }

private:
    ~Chan() { drain(); }

    /// The receiver found the queue empty: register, then arm, so that a
    /// sender that disarms finds this waker. (Armed first, a sender whose
    /// value was already taken by the pop before could disarm before the
    /// registration, wake nobody, and the next sender would see the flag
    /// down: a lost wake.) The caller then pops again.
    void arm_rx(Context& cx) {
        rx_waker_.register_waker(cx.waker());
        rx_armed_.store(true, std::memory_order_seq_cst);
    }

    /// Wakes the receiver after a push, skipping the AtomicWaker (two
    /// contended RMWs) unless the receiver armed it since the last wake.
    /// The receiver registers, stores `rx_armed_`, then re-checks the queue;
    /// a sender sets the ready bit, then loads `rx_armed_`; all seq_cst, so
    /// either the sender sees the flag or the receiver's re-check sees the
    /// value. A sender that takes the flag down wakes whatever the slot
    /// holds: the waker registered before that arming, or nothing because
    /// an earlier wake took it, and that wake came after the arming, so the
    /// receiver polls again anyway. The other wake-ups (close, returned
    /// permits) are rare and call the AtomicWaker unconditionally.
    void notify_rx() {
        if (rx_armed_.load(std::memory_order_seq_cst) &&
            rx_armed_.exchange(false, std::memory_order_seq_cst))
            rx_waker_.wake();
    }

    /// Moves values into `buf` until `n` reaches `limit` (Value), the queue
    /// is empty (Empty) or the close marker is reached (Closed). Room is
    /// made before a value is taken out, so a push_back that fails to
    /// allocate throws with the value still in the channel.
    Read pop_many(std::vector<T>& buf, std::size_t limit, std::size_t& n) {
        std::optional<T> out;
        while (n < limit) {
            if (buf.size() == buf.capacity())
                buf.reserve(buf.size() + std::min(limit - n, std::max<std::size_t>(buf.size(), 16)));
            Read r = list_.pop(out);
            if (r != Read::Value) return r;
            sem_.release();
            buf.push_back(std::move(*out));
            out.reset();
            ++n;
        }
        return Read::Value;
    }

    void drain() {
        std::optional<T> out;
        while (list_.pop(out) == Read::Value) {
            out.reset();
            sem_.release();
        }
    }

    // Senders' hot fields, the receiver's waker and the capacity on their own lines.
    List<T> list_;
    alignas(64) AtomicWaker rx_waker_;
    std::atomic<bool> rx_armed_{false};
    alignas(64) Sem sem_;
    alignas(64) std::atomic<std::size_t> tx_count_{1};
    std::atomic<std::size_t> refs_{2};
    std::atomic<bool> rx_closed_flag_{false};
    std::mutex closed_mu_;
    pollen::detail::WaitList<pollen::detail::Waiter> closed_waiters_;
    bool rx_closed_ = false;  // receiver's own copy, no atomic load on its path
};

}  // namespace pollen::mpsc::detail
