#pragma once
// Layering: channels -> reactor for time only (send_timeout's time::Timeout),
// channels -> sync for the batch semaphore behind the slots (detail/mpsc_semaphore.hpp).
/// mpsc::channel<T>(capacity): Tokio's bounded `mpsc::channel`, a
/// multi-producer, single-consumer queue holding at most `capacity` values.
///
///     auto [tx, rx] = pollen::mpsc::channel<int>(100);
///     tx.send(1)        // future: Result<void, SendError<int>>, waits for space
///     tx.try_send(2)    // Result<void, TrySendError<int>>: Full / Closed
///     tx.reserve()      // future: Result<Permit<int>, SendError<void>>
///     tx.reserve_many(3)  // future: Result<PermitIterator<int>, SendError<void>>
///     tx.send_timeout(3, 100ms)  // future: Result<void, SendTimeoutError<int>>: Timeout / Closed
///     std::move(tx).reserve_owned()  // future: Result<OwnedPermit<int>, SendError<void>>
///     tx.downgrade()    // WeakSender<int>: upgrade() → std::optional<Sender<int>>
///     rx.recv()         // future: std::optional<int>
///
/// Sender is copyable (Rust's clone); the channel closes for the receiver
/// when the last Sender is gone. The slots are the permits of a batch
/// semaphore (sync's, as Tokio's bounded channel uses its own). A `send` /
/// `reserve` / `reserve_many` future waits for its slots in FIFO order with
/// the other waiting senders, storing the task's waker, which the receiver
/// wakes (from its thread) when it frees a slot, or `close()` / the
/// receiver's drop wakes to fail it. The futures borrow their Sender, which
/// must outlive them (Rust's `&self` futures).
///
/// Destroying a `send` future mid-way destroys its value (never sent, never
/// sent twice) and gives back a slot it was handed; dropping an unused Permit
/// (or a PermitIterator not used up) gives back its slots. The queue is
/// lock-free (blocks of 32 slots); only senders that must wait take a small
/// lock. The futures draw on the cooperative budget.
///
/// A default-constructed Sender is empty (as is a moved-from one); `tx = {}`
/// or `pollen::drop(std::move(tx))` drops a Sender early, which makes it
/// empty and, for the last Sender, ends the receiver's stream (Rust's
/// `drop(tx)`). An empty Sender answers as a sender of a closed channel:
/// `send`, `reserve`, `reserve_many`, `try_send`, `try_reserve`,
/// `try_reserve_many` and `blocking_send` fail
/// (Closed, handing the value back), `closed()` is ready at once,
/// `is_closed()` is true, both capacities are 0, and it is the
/// `same_channel` as nothing. Copying it gives another empty Sender.

#include <cassert>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "../core/context.hpp"
#include "../core/coop.hpp"
#include "../core/future.hpp"
#include "../core/future_ext.hpp"
#include "../core/poll.hpp"
#include "../core/result.hpp"
#include "../reactor/instant.hpp"
#include "../reactor/timeout.hpp"
#include "../sync/detail/batch_semaphore.hpp"
#include "../core/detail/block_on_thread.hpp"
#include "detail/mpsc_chan.hpp"
#include "detail/mpsc_rx.hpp"
#include "detail/mpsc_weak.hpp"
#include "mpsc_error.hpp"
#include "mpsc_receiver.hpp"

namespace pollen::mpsc {

template <class T>
class Sender;
template <class T>
class OwnedPermit;
template <class T>
class OwnedReserve;

/// One reserved slot: `std::move(permit).send(v)` cannot fail and never
/// waits. Destroying it unused gives the slot back. Borrows its Sender.
template <class T>
class Permit {
public:
    Permit(Permit&& other) noexcept : chan_(std::exchange(other.chan_, nullptr)) {}
    Permit& operator=(Permit&& other) noexcept {
        if (this != &other) {
            reset();
            chan_ = std::exchange(other.chan_, nullptr);
        }
        return *this;
    }
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { reset(); }

    /// Sends into the reserved slot.
    template <class U = T>
        requires std::is_constructible_v<T, U&&>
    void send(U&& value) && {
        assert(chan_ && "pollen: Permit used twice");
        std::exchange(chan_, nullptr)->push(std::forward<U>(value));
    }

private:
    friend class Sender<T>;
    template <class>
    friend class Reserve;
    template <class>
    friend class PermitIterator;
    explicit Permit(detail::Chan<T, detail::BoundedSemaphore>* chan) : chan_(chan) {}

    void reset() {
        if (auto* c = std::exchange(chan_, nullptr)) c->return_permits(1);
    }

    detail::Chan<T, detail::BoundedSemaphore>* chan_;
};

namespace detail {
/// What `send`, `reserve` and `reserve_many` share: `n` permits from the
/// channel's batch semaphore (sync's `detail::Acquire`, which queues FIFO,
/// draws on the cooperative budget and, destroyed while queued, leaves the
/// queue and passes on whatever it had been handed). Destroyed unfinished,
/// it also wakes a receiver that waits for the last slot of a closed channel
/// to come back (Tokio's `WakeReceiverOnDrop`). Null channel: an empty
/// Sender's, which fails at once. Movable only before its first poll.
template <class T>
class AcquireSlots {
public:
    using ChanT = Chan<T, BoundedSemaphore>;

    AcquireSlots(ChanT* chan, std::size_t n) : chan_(chan) {
        if (chan) acquire_.emplace(chan->sem().inner(), n);
    }
    AcquireSlots(AcquireSlots&& other) noexcept
        : chan_(std::exchange(other.chan_, nullptr)), acquire_(std::move(other.acquire_)) {}
    AcquireSlots& operator=(AcquireSlots&&) = delete;
    ~AcquireSlots() {
        if (chan_ == nullptr) return;
        acquire_.reset();
        chan_->permit_returned();
    }

    /// Ready(the channel, whose `n` slots the caller now owns), or
    /// Ready(nullptr) when the channel is closed (or the Sender empty).
    Poll<ChanT*> poll(Context& cx) {
        if (chan_ == nullptr) return Ready<ChanT*>{nullptr};
        auto p = acquire_->poll(cx);
        if (p.is_pending()) return pending;
        ChanT* chan = std::exchange(chan_, nullptr);
        return Ready<ChanT*>{p.value().is_ok() ? chan : nullptr};
    }

    /// For task dumps (core/trace.hpp): "<what> on mpsc channel 0x... (capacity 16, full, queued)".
    void describe_as(TraceVisitor& v, const char* what) const {
        if (chan_ == nullptr) return v.waits_on(std::string(what) + " on mpsc channel (done)");
        std::size_t free = chan_->sem().available();
        v.waits_on(std::string(what) + " on mpsc channel " + trace::address(chan_) + " (capacity " +
                   std::to_string(chan_->sem().bound()) + ", " +
                   (free == 0 ? std::string("full") : std::to_string(free) + " free") +
                   (acquire_ && acquire_->is_queued() ? ", queued for a slot)" : ")"));
    }

private:
    ChanT* chan_;  ///< null once finished
    std::optional<pollen::detail::Acquire> acquire_;
};
}  // namespace detail

/// The future of `Sender::send(v)`: Ready(Ok) once `v` is in the channel,
/// Ready(Err(SendError{v})) if the receiver closed or is gone first.
template <class T>
class Send : public FutureExt<Send<T>> {
public:
    using Output = Result<void, SendError<T>>;

    Send(Send&& other) noexcept(std::is_nothrow_move_constructible_v<T>)
        : slots_(std::move(other.slots_)),
          value_(std::exchange(other.value_, std::nullopt)),
          pin_(std::move(other.pin_)) {}
    Send& operator=(Send&&) = delete;

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(value_ && "pollen: mpsc Send polled after completion");
        auto p = slots_.poll(cx);
        if (p.is_pending()) return pending;
        auto* chan = p.value();
        if (chan == nullptr) {
            SendError<T> err{std::move(*value_)};
            value_.reset();
            return Ready<Output>{Err(std::move(err))};
        }
        chan->push(std::move(*value_));
        value_.reset();
        return Ready<Output>{Ok()};
    }

    /// For task dumps (core/trace.hpp): the channel and its free slots.
    void describe(TraceVisitor& v) const { slots_.describe_as(v, "send"); }

private:
    friend class Sender<T>;
    Send(detail::Chan<T, detail::BoundedSemaphore>* chan, T&& value) : slots_(chan, 1), value_(std::move(value)) {}

    detail::AcquireSlots<T> slots_;
    std::optional<T> value_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

/// The future of `Sender::reserve()`: Ready with a Permit once a slot is
/// free, or Err(SendError<void>) if the receiver closed or is gone.
template <class T>
class Reserve : public FutureExt<Reserve<T>> {
public:
    using Output = Result<Permit<T>, SendError<void>>;

    Reserve(Reserve&& other) noexcept
        : slots_(std::move(other.slots_)),
          pin_(std::move(other.pin_)),
          done_(std::exchange(other.done_, true)) {}  // the moved-from one is spent
    Reserve& operator=(Reserve&&) = delete;

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(!done_ && "pollen: mpsc Reserve polled after completion");
        auto p = slots_.poll(cx);
        if (p.is_pending()) return pending;
        done_ = true;
        if (auto* chan = p.value()) return Ready<Output>{Ok(Permit<T>(chan))};
        return Ready<Output>{Err(SendError<void>{})};
    }

    /// For task dumps (core/trace.hpp): the channel and its free slots.
    void describe(TraceVisitor& v) const { slots_.describe_as(v, "reserve"); }

private:
    friend class Sender<T>;
    explicit Reserve(detail::Chan<T, detail::BoundedSemaphore>* chan) : slots_(chan, 1) {}

    detail::AcquireSlots<T> slots_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
    bool done_ = false;
};

/// `n` reserved slots (Tokio's `PermitIterator`), from `reserve_many(n)` or
/// `try_reserve_many(n)`: `next()` hands them out one Permit at a time, then
/// nullopt. Destroying it gives back the slots not handed out yet. Borrows
/// its Sender; move-only.
template <class T>
class PermitIterator {
public:
    PermitIterator(PermitIterator&& other) noexcept
        : chan_(std::exchange(other.chan_, nullptr)), n_(std::exchange(other.n_, 0)) {}
    PermitIterator& operator=(PermitIterator&& other) noexcept {
        if (this != &other) {
            reset();
            chan_ = std::exchange(other.chan_, nullptr);
            n_ = std::exchange(other.n_, 0);
        }
        return *this;
    }
    PermitIterator(const PermitIterator&) = delete;
    PermitIterator& operator=(const PermitIterator&) = delete;
    ~PermitIterator() { reset(); }

    /// The next reserved slot, or nullopt once all were handed out.
    std::optional<Permit<T>> next() {
        if (n_ == 0) return std::nullopt;
        --n_;
        return Permit<T>(chan_);
    }
    /// Slots not handed out yet.
    std::size_t len() const { return n_; }
    bool is_empty() const { return n_ == 0; }

private:
    friend class Sender<T>;
    template <class>
    friend class ReserveMany;
    PermitIterator(detail::Chan<T, detail::BoundedSemaphore>* chan, std::size_t n) : chan_(chan), n_(n) {}

    void reset() {
        if (n_ > 0) chan_->return_permits(std::exchange(n_, 0));
    }

    detail::Chan<T, detail::BoundedSemaphore>* chan_;
    std::size_t n_;
};

/// The future of `Sender::reserve_many(n)`: Ready with a PermitIterator of
/// `n` slots once they are all free (taken at once, in the same FIFO queue
/// as `send` and `reserve`: a waiting `reserve_many(5)` holds back a later
/// `send` even while fewer than 5 slots are free), or Err(SendError<void>)
/// if the receiver closed or is gone, or at once if `n` exceeds the
/// channel's capacity (it could never be served). Destroying it mid-way
/// leaves the queue and passes on any slots it had been handed.
template <class T>
class ReserveMany : public FutureExt<ReserveMany<T>> {
public:
    using Output = Result<PermitIterator<T>, SendError<void>>;

    ReserveMany(ReserveMany&& other) noexcept
        : slots_(std::move(other.slots_)),
          n_(other.n_),
          pin_(std::move(other.pin_)),
          done_(std::exchange(other.done_, true)) {}  // the moved-from one is spent
    ReserveMany& operator=(ReserveMany&&) = delete;

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(!done_ && "pollen: mpsc ReserveMany polled after completion");
        auto p = slots_.poll(cx);
        if (p.is_pending()) return pending;
        done_ = true;
        if (auto* chan = p.value()) return Ready<Output>{Ok(PermitIterator<T>(chan, n_))};
        return Ready<Output>{Err(SendError<void>{})};
    }

private:
    friend class Sender<T>;
    // More than the capacity can never be served: fail as a closed channel does.
    ReserveMany(detail::Chan<T, detail::BoundedSemaphore>* chan, std::size_t n)
        : slots_(chan && n <= chan->sem().bound() ? chan : nullptr, n), n_(n) {}

    detail::AcquireSlots<T> slots_;
    std::size_t n_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
    bool done_ = false;
};

/// The future of `Sender::send_timeout(v, d)` (Tokio's `send_timeout`): a
/// `reserve()` under `time::timeout(d)`, then the value into the reserved
/// slot. Ready(Ok) once `v` is in the channel; Err(SendTimeoutError{Timeout,
/// v}) if no slot came within `d`, Err(SendTimeoutError{Closed, v}) if the
/// receiver closed or is gone first: the value comes back either way. The
/// deadline is taken at the first poll (Tokio's is an async fn), and a slot
/// free at that poll is taken without a timer. Waits in the senders' FIFO
/// queue like `send`, woken by the receiver's thread or the timer's.
///
/// Destroying it mid-way destroys the value (never sent) and gives back a
/// slot it was handed but had not used, so no capacity is lost; its timer
/// and its place in the queue go with it. A slot handed over in the same
/// instant as the deadline wins: the value is sent. Needs a runtime with
/// time (the reactor's timers) once it has to wait. It borrows its Sender.
template <class T>
class SendTimeout : public FutureExt<SendTimeout<T>> {
public:
    using Output = Result<void, SendTimeoutError<T>>;

    Poll<Output> poll(Context& cx) {
        assert(value_ && "pollen: mpsc SendTimeout polled after completion");
        if (!timeout_) timeout_.emplace(std::move(*reserve_), pollen::detail::deadline_after(limit_));
        reserve_.reset();
        auto p = timeout_->poll(cx);
        if (p.is_pending()) return pending;
        auto reserved = p.take();  // Result<Result<Permit<T>, SendError<void>>, Elapsed>
        timeout_.reset();
        if (reserved.is_err()) return Ready<Output>{Err(fail(SendTimeoutErrorKind::Timeout))};
        auto& permit = reserved.value();
        if (permit.is_err()) return Ready<Output>{Err(fail(SendTimeoutErrorKind::Closed))};
        std::move(*permit).send(std::move(*value_));
        value_.reset();
        return Ready<Output>{Ok()};
    }

private:
    friend class Sender<T>;
    SendTimeout(Reserve<T> reserve, T&& value, time::Duration limit)
        : reserve_(std::move(reserve)), value_(std::move(value)), limit_(limit) {}

    SendTimeoutError<T> fail(SendTimeoutErrorKind kind) {
        SendTimeoutError<T> err{kind, std::move(*value_)};
        value_.reset();
        return err;
    }

    std::optional<Reserve<T>> reserve_;                // until the first poll
    std::optional<time::Timeout<Reserve<T>>> timeout_;  // from the first poll
    std::optional<T> value_;
    time::Duration limit_;
};

/// The future of `Sender::closed()`.
template <class T>
using Closed = detail::Closed<T, detail::BoundedSemaphore>;

/// The sending half of a bounded channel. Copy it to get more senders.
template <class T>
class Sender;
/// A Sender that does not keep the channel open (`tx.downgrade()`;
/// `upgrade()` → std::optional<Sender<T>>): see detail/mpsc_weak.hpp.
template <class T>
using WeakSender = detail::WeakOf<Sender<T>, detail::Chan<T, detail::BoundedSemaphore>>;

template <class T>
class Sender {
    using ChanT = detail::Chan<T, detail::BoundedSemaphore>;

public:
    /// An empty Sender, attached to no channel (see the top of this file).
    Sender() noexcept = default;
    Sender(const Sender& other) : chan_(other.chan_) {
        if (chan_) chan_->add_sender();
    }
    Sender(Sender&& other) noexcept : chan_(std::exchange(other.chan_, nullptr)) {}
    Sender& operator=(const Sender& other) {
        if (this != &other) *this = Sender(other);
        return *this;
    }
    Sender& operator=(Sender&& other) noexcept {
        if (this != &other) {
            reset();
            chan_ = std::exchange(other.chan_, nullptr);
        }
        return *this;
    }
    ~Sender() { reset(); }

    /// A future that waits for a free slot and sends `value` into it.
    template <class U = T>
        requires std::is_constructible_v<T, U&&>
    Send<T> send(U&& value) const {
        return Send<T>(chan_, T(std::forward<U>(value)));
    }

    /// Sends now if a slot is free: Full or Closed otherwise, with the value back.
    template <class U = T>
        requires std::is_constructible_v<T, U&&>
    Result<void, TrySendError<T>> try_send(U&& value) const {
        switch (try_acquire(1)) {
            case Outcome::Acquired:
                chan_->push(std::forward<U>(value));
                return Ok();
            case Outcome::NoPermits:
                return Err(TrySendError<T>{TrySendErrorKind::Full, T(std::forward<U>(value))});
            default:
                return Err(TrySendError<T>{TrySendErrorKind::Closed, T(std::forward<U>(value))});
        }
    }

    /// A future that waits at most `limit` for a free slot and sends `value`
    /// into it; Timeout or Closed hand the value back (see SendTimeout).
    template <class U = T, class Rep, class Period>
        requires std::is_constructible_v<T, U&&>
    SendTimeout<T> send_timeout(U&& value, std::chrono::duration<Rep, Period> limit) const {
        return SendTimeout<T>(reserve(), T(std::forward<U>(value)), pollen::detail::saturating_nanos(limit));
    }

    /// A future of a Permit: one slot, reserved.
    Reserve<T> reserve() const { return Reserve<T>(chan_); }

    /// A Permit now if a slot is free: Full or Closed otherwise.
    Result<Permit<T>, TrySendError<void>> try_reserve() const {
        switch (try_acquire(1)) {
            case Outcome::Acquired: return Ok(Permit<T>(chan_));
            case Outcome::NoPermits: return Err(TrySendError<void>{TrySendErrorKind::Full});
            default: return Err(TrySendError<void>{TrySendErrorKind::Closed});
        }
    }

    /// A future of `n` slots at once, handed out by a PermitIterator (see
    /// ReserveMany). Err at once if `n` exceeds the channel's capacity.
    ReserveMany<T> reserve_many(std::size_t n) const { return ReserveMany<T>(chan_, n); }

    /// `n` slots now if they are all free: Full otherwise (also when `n`
    /// exceeds the capacity), Closed if the receiver closed or is gone.
    /// `n == 0` gives an empty PermitIterator while the channel is open.
    Result<PermitIterator<T>, TrySendError<void>> try_reserve_many(std::size_t n) const {
        if (chan_ && n > chan_->sem().bound()) return Err(TrySendError<void>{TrySendErrorKind::Full});
        switch (try_acquire(n)) {
            case Outcome::Acquired: return Ok(PermitIterator<T>(chan_, n));
            case Outcome::NoPermits: return Err(TrySendError<void>{TrySendErrorKind::Full});
            default: return Err(TrySendError<void>{TrySendErrorKind::Closed});
        }
    }

    /// As reserve(), but the Permit owns this Sender (Tokio's
    /// `reserve_owned(self)`): `std::move(tx).reserve_owned()`, a future of
    /// Result<OwnedPermit<T>, SendError<void>>. The permit may outlive any
    /// borrow (move it into another task); its send gives the Sender back.
    OwnedReserve<T> reserve_owned() &&;
    /// try_reserve() for an OwnedPermit; on Full or Closed the Sender comes
    /// back in the error (TrySendError<Sender<T>>::into_inner()).
    Result<OwnedPermit<T>, TrySendError<Sender<T>>> try_reserve_owned() &&;

    /// `send` for a plain (non-runtime) thread: parks it until there is space.
    template <class U = T>
        requires std::is_constructible_v<T, U&&>
    Result<void, SendError<T>> blocking_send(U&& value) const {
        Send<T> fut = send(std::forward<U>(value));
        return pollen::detail::block_on_thread(fut);
    }

    /// A future Ready once the receiver closed or is gone.
    Closed<T> closed() const { return Closed<T>(chan_); }
    /// True once the receiver closed or is gone (sends would fail).
    bool is_closed() const { return chan_ == nullptr || chan_->sem().is_closed(); }
    /// Slots free right now.
    std::size_t capacity() const { return chan_ ? chan_->sem().available() : 0; }
    /// The capacity the channel was created with.
    std::size_t max_capacity() const { return chan_ ? chan_->sem().bound() : 0; }
    /// True when both send into the same channel (never for an empty Sender).
    bool same_channel(const Sender& other) const { return chan_ != nullptr && chan_ == other.chan_; }

    /// A weak sender of the same channel (empty for an empty Sender).
    WeakSender<T> downgrade() const { return WeakSender<T>(chan_); }

private:
    friend WeakSender<T>;
    friend class OwnedPermit<T>;
    friend class OwnedReserve<T>;
    template <class U>
    friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t);
    explicit Sender(ChanT* chan) : chan_(chan) {}

    using Outcome = pollen::detail::BatchSemaphore::Outcome;
    Outcome try_acquire(std::size_t n) const {
        return chan_ ? chan_->sem().inner().try_acquire(n) : Outcome::Closed;
    }

    void reset() {
        if (ChanT* c = std::exchange(chan_, nullptr)) c->drop_sender();
    }

    ChanT* chan_ = nullptr;
};

/// One reserved slot that owns its Sender (Tokio's `OwnedPermit`):
/// `std::move(permit).send(v)` puts `v` in the slot, cannot fail, never
/// waits, and gives the Sender back; `std::move(permit).release()` gives
/// back the slot and the Sender. Destroying it unused gives back the slot
/// and drops the Sender. Move-only; used by one thread at a time.
template <class T>
class OwnedPermit {
public:
    OwnedPermit(OwnedPermit&& other) noexcept
        : sender_(std::move(other.sender_)), has_slot_(std::exchange(other.has_slot_, false)) {}
    OwnedPermit& operator=(OwnedPermit&& other) noexcept {
        if (this != &other) {
            reset();
            sender_ = std::move(other.sender_);
            has_slot_ = std::exchange(other.has_slot_, false);
        }
        return *this;
    }
    ~OwnedPermit() { reset(); }

    template <class U = T>
        requires std::is_constructible_v<T, U&&>
    Sender<T> send(U&& value) && {
        assert(has_slot_ && "pollen: OwnedPermit used twice");
        has_slot_ = false;
        sender_.chan_->push(std::forward<U>(value));
        return std::move(sender_);
    }
    Sender<T> release() && {
        reset();
        return std::move(sender_);
    }

private:
    friend class Sender<T>;
    friend class OwnedReserve<T>;
    explicit OwnedPermit(Sender<T> sender) : sender_(std::move(sender)), has_slot_(true) {}
    void reset() {
        if (std::exchange(has_slot_, false)) sender_.chan_->return_permits(1);
    }

    Sender<T> sender_;
    bool has_slot_ = false;
};

/// The future of `std::move(tx).reserve_owned()`: as Reserve, owning the
/// Sender until it hands it to the OwnedPermit. On Err the Sender is
/// dropped (as Tokio's). Destroying it mid-way leaves the senders' queue,
/// passes on a slot it had been handed, and drops the Sender.
template <class T>
class OwnedReserve : public FutureExt<OwnedReserve<T>> {
public:
    using Output = Result<OwnedPermit<T>, SendError<void>>;

    OwnedReserve(OwnedReserve&& other) noexcept
        : sender_(std::move(other.sender_)), slots_(std::move(other.slots_)), pin_(std::move(other.pin_)) {}
    OwnedReserve& operator=(OwnedReserve&&) = delete;

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        auto p = slots_.poll(cx);
        if (p.is_pending()) return pending;
        if (p.value() == nullptr) {
            Sender<T> dropped = std::move(sender_);
            return Ready<Output>{Err(SendError<void>{})};
        }
        return Ready<Output>{Ok(OwnedPermit<T>(std::move(sender_)))};
    }

private:
    friend class Sender<T>;
    explicit OwnedReserve(Sender<T> sender) : sender_(std::move(sender)), slots_(sender_.chan_, 1) {}

    Sender<T> sender_;  // declared first: the slots (which use its channel) go first
    detail::AcquireSlots<T> slots_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <class T>
OwnedReserve<T> Sender<T>::reserve_owned() && {
    return OwnedReserve<T>(std::move(*this));
}

template <class T>
Result<OwnedPermit<T>, TrySendError<Sender<T>>> Sender<T>::try_reserve_owned() && {
    switch (try_acquire(1)) {
        case Outcome::Acquired: return Ok(OwnedPermit<T>(std::move(*this)));
        case Outcome::NoPermits: return Err(TrySendError<Sender<T>>{TrySendErrorKind::Full, std::move(*this)});
        default: return Err(TrySendError<Sender<T>>{TrySendErrorKind::Closed, std::move(*this)});
    }
}

/// A bounded channel of `capacity` (at least 1) values.
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
    static_assert(!std::is_void_v<T>, "pollen::mpsc: use Unit for a value-less channel");
    if (capacity == 0 || capacity > detail::BoundedSemaphore::kMaxPermits)
        throw std::invalid_argument("pollen::mpsc::channel: capacity must be at least 1");
    auto* chan = new detail::Chan<T, detail::BoundedSemaphore>(capacity);
    return {Sender<T>(chan), Receiver<T>(chan)};
}

}  // namespace pollen::mpsc
