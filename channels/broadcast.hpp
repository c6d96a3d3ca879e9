#pragma once
/// pollen::broadcast: Tokio's `sync::broadcast`, a multi-producer,
/// multi-consumer channel where every receiver sees every value.
///
///     auto [tx, rx1] = pollen::broadcast::channel<int>(16);
///     auto rx2 = tx.subscribe();
///     tx.send(1);        // Result<size_t receivers, SendError<int>>
///     rx1.recv()         // future: Result<int, RecvError{Closed | Lagged(n)}>
///
/// The channel keeps the last `capacity` values (rounded up to a power of
/// two) in a ring; each receiver gets its own copy of each value (T must be
/// copyable). A receiver that falls more than `capacity` values behind gets
/// `Lagged(n)` once, n being how many it missed, and then continues from the
/// oldest value still retained. `send` never waits: it overwrites the oldest
/// value. Once every Sender is gone, receivers get the values left, then Closed.
///
/// A `recv()` future stores the task's waker in the channel's waiter list;
/// `send` and the last Sender's drop wake every waiting receiver from the
/// thread that does them. Destroying a `recv()` future mid-way only leaves
/// the list: no value is consumed. A receiver moves past a value before it
/// copies it, as Tokio's does: if T's copy throws, that recv (or try_recv)
/// throws, this receiver has skipped that one value, and the next receive
/// goes on with the following one; other receivers are not affected.
/// `Sender::closed()` is a future Ready once no receiver is subscribed (its
/// waiters are woken by the last receiver's drop), `Sender::is_closed()`
/// says the same now. Senders are copyable; receivers are
/// move-only (`resubscribe()` makes a new one that starts at the tail).
/// One mutex guards the ring and the waiter list; values are copied and
/// overwritten values destroyed outside it where that is possible.
///
/// Both halves may be empty: default-constructed, moved from, assigned `{}`
/// or given to `pollen::drop` (Rust's `drop(tx)`: dropping the last Sender
/// early closes the channel). An empty handle answers as one of a closed
/// channel with no receivers: an empty Sender's `send` fails with the value
/// back, its `subscribe()` gives an empty Receiver, its counts are 0,
/// `is_closed()` is true and `closed()` is ready at once; an
/// empty Receiver's `recv`/`try_recv` give Closed, `resubscribe()` gives an
/// empty Receiver, `len()` is 0 and `is_closed()` true. An empty handle is
/// the `same_channel` as nothing.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/context.hpp"
#include "../core/coop.hpp"
#include "../core/future.hpp"
#include "../core/future_ext.hpp"
#include "../core/poll.hpp"
#include "../core/result.hpp"
#include "../sync/detail/wait_list.hpp"
#include "../sync/detail/wake_list.hpp"
#include "../core/detail/block_on_thread.hpp"

namespace pollen::broadcast {

/// No receiver exists; `value` is the message that was not sent.
template <class T>
struct SendError {
    T value;
    T into_inner() && { return std::move(value); }
};

/// Why `recv` has no value: Closed (every sender is gone and all was
/// received), or Lagged: `lagged` values were overwritten before this
/// receiver got them (the next recv resumes at the oldest retained value).
struct RecvError {
    enum class Kind { Closed, Lagged };
    Kind kind = Kind::Closed;
    std::uint64_t lagged = 0;

    static RecvError closed() { return {Kind::Closed, 0}; }
    static RecvError lagged_by(std::uint64_t n) { return {Kind::Lagged, n}; }
    bool is_closed() const { return kind == Kind::Closed; }
    bool is_lagged() const { return kind == Kind::Lagged; }
    bool operator==(const RecvError&) const = default;
};

/// Why `try_recv` has no value: Empty (none yet), Closed, or Lagged(n).
struct TryRecvError {
    enum class Kind { Empty, Closed, Lagged };
    Kind kind = Kind::Empty;
    std::uint64_t lagged = 0;

    bool is_empty() const { return kind == Kind::Empty; }
    bool is_closed() const { return kind == Kind::Closed; }
    bool is_lagged() const { return kind == Kind::Lagged; }
    bool operator==(const TryRecvError&) const = default;
};

namespace detail {

template <class T>
struct Shared {
    struct Slot {
        std::uint64_t pos;
        std::size_t rem = 0;  ///< receivers that have not read it yet
        std::optional<T> value;
    };

    explicit Shared(std::size_t cap) : mask(cap - 1) {
        buffer.reserve(cap);
        // Each slot starts one lap behind, so "not written yet" is pos + cap == next.
        for (std::size_t i = 0; i < cap; ++i) buffer.push_back(Slot{std::uint64_t(i) - cap, 0, std::nullopt});
    }

    std::uint64_t cap() const { return mask + 1; }

    std::mutex mu;
    std::vector<Slot> buffer;
    const std::uint64_t mask;
    std::uint64_t tail = 0;  ///< position of the next send
    std::size_t rx_count = 1;
    std::size_t tx_count = 1;
    bool closed = false;
    using Waiters = pollen::detail::WaitList<pollen::detail::Waiter>;
    Waiters waiters;         ///< recv() futures
    Waiters closed_waiters;  ///< Sender::closed() futures

    /// Under `lock` (on `mu`; released on return): wakes every future of
    /// `list`, moved aside first so that those queueing meanwhile wait for
    /// the next value, in batches with the lock released. A waker that
    /// throws stops nothing: the rest are woken, then it leaves.
    static void wake_all(Waiters& list, std::unique_lock<std::mutex>& lock) {
        if (list.empty()) {
            lock.unlock();
            return;
        }
        Waiters batch;
        list.move_all_to(batch);
        std::exception_ptr thrown = pollen::detail::release_waiters(batch, lock);
        if (thrown) std::rethrow_exception(thrown);
    }

    /// Unlinks `node` and drops its waker, for a future destroyed while
    /// queued (in a list or in a batch being woken).
    void forget(pollen::detail::Waiter& node) {
        std::optional<Waker> w;  // dropped after unlocking
        std::lock_guard lock(mu);
        w = node.leave();
    }
};

enum class Got { Value, Empty, Closed, Lagged };

}  // namespace detail

template <class T>
class Receiver;

/// The future of `Receiver::recv()`: Ready with the next value (a copy),
/// Lagged(n) or Closed. Borrows the receiver; destroying it mid-way only
/// drops its interest.
template <class T>
class Recv : public FutureExt<Recv<T>> {
public:
    using Output = Result<T, RecvError>;

    explicit Recv(Receiver<T>& rx) : rx_(&rx) {}
    Recv(Recv&& other) noexcept : rx_(other.rx_), pin_(std::move(other.pin_)) {}
    Recv& operator=(Recv&&) = delete;
    ~Recv() {
        if (queued_) rx_->shared_->forget(node_);
    }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (!coop::poll_proceed(cx)) return pending;
        std::optional<T> out;
        std::uint64_t lagged = 0;
        switch (rx_->receive(out, lagged, &node_, &cx.waker())) {
            case detail::Got::Value: return Ready<Output>{Ok(std::move(*out))};
            case detail::Got::Lagged: return Ready<Output>{Err(RecvError::lagged_by(lagged))};
            case detail::Got::Closed: return Ready<Output>{Err(RecvError::closed())};
            case detail::Got::Empty: break;
        }
        queued_ = true;
        coop::refund();
        return pending;
    }

    /// For task dumps (core/trace.hpp): the channel's address.
    void describe(TraceVisitor& v) const {
        v.waits_on("recv on broadcast channel " + trace::address(rx_->shared_.get()));
    }

private:
    Receiver<T>* rx_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
    pollen::detail::Waiter node_;
    bool queued_ = false;
};

template <class T>
class Sender;

/// The receiving half: its own position in the stream of values.
template <class T>
class Receiver {
public:
    /// An empty Receiver, attached to no channel.
    Receiver() noexcept = default;
    /// Move-only: each Receiver has its own position (Rust's is not Clone
    /// either). Copying one from a non-const lvalue picks this instead of the
    /// deleted copy, so the error is pollen's message; the traits stay false.
    template <class U>
        requires std::is_same_v<U, Receiver>
    Receiver(U&) : Receiver() {
        static_assert(std::is_copy_constructible_v<U>,
                      "pollen::broadcast::Receiver is move-only (each has its own position; Rust's is "
                      "not Clone either): pass it on with std::move(rx); for another receiver of the "
                      "channel, call rx.resubscribe() or tx.subscribe()");
    }
    Receiver(Receiver&& other) noexcept
        : shared_(std::move(other.shared_)), next_(other.next_) {}
    Receiver& operator=(Receiver&& other) noexcept {
        if (this != &other) {
            reset();
            shared_ = std::move(other.shared_);
            next_ = other.next_;
        }
        return *this;
    }
    Receiver(const Receiver&) = delete;
    Receiver& operator=(const Receiver&) = delete;
    ~Receiver() { reset(); }

    /// A future of the next value, Lagged(n) or Closed.
    Recv<T> recv() { return Recv<T>(*this); }

    /// The next value if there is one now.
    Result<T, TryRecvError> try_recv() {
        std::optional<T> out;
        std::uint64_t lagged = 0;
        switch (receive(out, lagged, nullptr, nullptr)) {
            case detail::Got::Value: return Ok(std::move(*out));
            case detail::Got::Lagged: return Err(TryRecvError{TryRecvError::Kind::Lagged, lagged});
            case detail::Got::Closed: return Err(TryRecvError{TryRecvError::Kind::Closed, 0});
            case detail::Got::Empty: break;
        }
        return Err(TryRecvError{TryRecvError::Kind::Empty, 0});
    }

    /// `recv()` for a plain (non-runtime) thread.
    Result<T, RecvError> blocking_recv() {
        Recv<T> fut = recv();
        return pollen::detail::block_on_thread(fut);
    }

    /// A new receiver of the same channel that starts at the tail: it sees
    /// only values sent from now on.
    Receiver resubscribe() const { return shared_ ? Receiver(shared_) : Receiver(); }

    /// Values sent that this receiver has not received yet (at most the capacity).
    std::size_t len() const {
        if (!shared_) return 0;
        std::lock_guard lock(shared_->mu);
        std::uint64_t oldest = shared_->tail > shared_->cap() ? shared_->tail - shared_->cap() : 0;
        return static_cast<std::size_t>(shared_->tail - std::max(next_, oldest));
    }
    bool is_empty() const { return len() == 0; }
    /// True once every sender is gone (values may still be left to receive).
    bool is_closed() const {
        if (!shared_) return true;
        std::lock_guard lock(shared_->mu);
        return shared_->closed;
    }
    bool same_channel(const Receiver& other) const { return shared_ && shared_ == other.shared_; }

private:
    friend class Sender<T>;
    friend class Recv<T>;
    template <class U>
    friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t);

    /// A new receiver at the tail (counted).
    explicit Receiver(std::shared_ptr<detail::Shared<T>> shared) : shared_(std::move(shared)) {
        std::lock_guard lock(shared_->mu);
        ++shared_->rx_count;
        next_ = shared_->tail;
    }
    /// The channel's first receiver, already counted.
    Receiver(std::shared_ptr<detail::Shared<T>> shared, std::uint64_t next)
        : shared_(std::move(shared)), next_(next) {}

    /// One step of receiving; with `node`, queues it when Empty.
    detail::Got receive(std::optional<T>& out, std::uint64_t& lagged, pollen::detail::Waiter* node,
                        const Waker* waker) {
        if (!shared_) return detail::Got::Closed;
        std::optional<Waker> old_waker;
        std::optional<T> dead;  // a value every receiver has read, destroyed after unlocking
        std::lock_guard lock(shared_->mu);
        auto& s = *shared_;
        auto& slot = s.buffer[next_ & s.mask];
        if (slot.pos != next_) {
            if (slot.pos + s.cap() == next_) {
                if (s.closed) return detail::Got::Closed;
                if (node) {
                    old_waker = node->set_waker(*waker);
                    if (!node->is_linked()) s.waiters.push_back(node);
                }
                return detail::Got::Empty;
            }
            // Overwritten: resume at the oldest value still there.
            std::uint64_t oldest = s.tail - s.cap();
            lagged = oldest - next_;
            next_ = oldest;
            if (node) node->unlink();
            return detail::Got::Lagged;
        }
        // Past the slot before the copy, as Tokio's recv: a copy that throws
        // costs this receiver this one value, and the exception leaves this
        // call only, instead of every later receive meeting the same slot.
        ++next_;
        if (node) node->unlink();
        if (--slot.rem == 0) {
            dead.emplace(std::move(*slot.value));
            slot.value.reset();
            out.emplace(*dead);
        } else {
            out.emplace(*slot.value);
        }
        return detail::Got::Value;
    }

    void reset() {
        if (!shared_) return;
        std::vector<T> dead;  // destroyed after unlocking
        std::unique_lock lock(shared_->mu);
        auto& s = *shared_;
        // Values this receiver never read no longer wait for it.
        std::uint64_t from = s.tail > s.cap() ? std::max(next_, s.tail - s.cap()) : next_;
        for (std::uint64_t pos = from; pos < s.tail; ++pos) {
            auto& slot = s.buffer[pos & s.mask];
            if (slot.pos == pos && slot.rem > 0 && --slot.rem == 0) {
                dead.push_back(std::move(*slot.value));
                slot.value.reset();
            }
        }
        if (--s.rx_count == 0) detail::Shared<T>::wake_all(s.closed_waiters, lock);
        lock = {};
        shared_.reset();
    }

    std::shared_ptr<detail::Shared<T>> shared_;
    std::uint64_t next_ = 0;
};

/// The future of `Sender::closed()`: Ready once no receiver is subscribed
/// (at once for an empty Sender). A receiver subscribed while it waits
/// counts again, as in Tokio, so it is Ready only when the count is 0 at
/// the poll. Borrows the Sender; destroying it mid-way only drops its interest.
template <class T>
class Closed : public FutureExt<Closed<T>> {
public:
    using Output = void;

    /// `shared` is null for an empty Sender.
    explicit Closed(detail::Shared<T>* shared) : shared_(shared) {}
    Closed(Closed&& other) noexcept : shared_(other.shared_), pin_(std::move(other.pin_)) {}
    Closed& operator=(Closed&&) = delete;
    ~Closed() {
        if (queued_) shared_->forget(node_);
    }

    Poll<void> poll(Context& cx) {
        pin_.on_poll(this);
        if (shared_ == nullptr) return ready();
        if (!coop::poll_proceed(cx)) return pending;
        std::optional<Waker> old;  // dropped after unlocking
        std::lock_guard lock(shared_->mu);
        if (shared_->rx_count == 0) return ready();
        old = node_.set_waker(cx.waker());
        if (!node_.is_linked()) shared_->closed_waiters.push_back(&node_);
        queued_ = true;
        coop::refund();
        return pending;
    }

private:
    detail::Shared<T>* shared_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
    pollen::detail::Waiter node_;
    bool queued_ = false;
};

/// The sending half. Copyable; the channel closes when the last copy goes.
template <class T>
class Sender {
public:
    /// An empty Sender, attached to no channel.
    Sender() noexcept = default;
    Sender(const Sender& other) : shared_(other.shared_) {
        if (!shared_) return;
        std::lock_guard lock(shared_->mu);
        ++shared_->tx_count;
    }
    Sender(Sender&& other) noexcept : shared_(std::move(other.shared_)) {}
    Sender& operator=(const Sender& other) {
        if (this != &other) *this = Sender(other);
        return *this;
    }
    Sender& operator=(Sender&& other) noexcept {
        if (this != &other) {
            reset();
            shared_ = std::move(other.shared_);
        }
        return *this;
    }
    ~Sender() { reset(); }

    /// Sends a copy to every current receiver; Ok(how many receivers), or
    /// Err with the value back when there are none. Never waits.
    template <class U = T>
        requires std::is_constructible_v<T, U&&>
    Result<std::size_t, SendError<T>> send(U&& value) const {
        if (!shared_) return Err(SendError<T>{T(std::forward<U>(value))});
        std::optional<T> overwritten;  // destroyed after unlocking
        std::unique_lock lock(shared_->mu);
        auto& s = *shared_;
        if (s.rx_count == 0) {
            lock.unlock();
            return Err(SendError<T>{T(std::forward<U>(value))});
        }
        auto& slot = s.buffer[s.tail & s.mask];
        if (slot.value) overwritten.emplace(std::move(*slot.value));
        slot.value.reset();
        slot.pos = s.tail;
        slot.rem = s.rx_count;
        slot.value.emplace(std::forward<U>(value));
        ++s.tail;
        std::size_t receivers = s.rx_count;
        detail::Shared<T>::wake_all(s.waiters, lock);
        return Ok(receivers);
    }

    /// A new receiver that sees the values sent from now on.
    Receiver<T> subscribe() const { return shared_ ? Receiver<T>(shared_) : Receiver<T>(); }

    std::size_t receiver_count() const {
        if (!shared_) return 0;
        std::lock_guard lock(shared_->mu);
        return shared_->rx_count;
    }
    /// True while no receiver is subscribed (sends would fail); a later
    /// `subscribe()` opens it again.
    bool is_closed() const { return receiver_count() == 0; }
    /// A future Ready once no receiver is subscribed (Tokio's `closed()`).
    Closed<T> closed() const { return Closed<T>(shared_.get()); }
    /// Values retained and not yet read by every receiver (at most the capacity).
    std::size_t len() const {
        if (!shared_) return 0;
        std::lock_guard lock(shared_->mu);
        std::size_t n = 0;
        for (auto& slot : shared_->buffer) n += slot.rem > 0;
        return n;
    }
    bool is_empty() const { return len() == 0; }
    bool same_channel(const Sender& other) const { return shared_ && shared_ == other.shared_; }

private:
    template <class U>
    friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t);
    explicit Sender(std::shared_ptr<detail::Shared<T>> shared) : shared_(std::move(shared)) {}

    void reset() {
        if (!shared_) return;
        std::unique_lock lock(shared_->mu);
        if (--shared_->tx_count == 0) {
            shared_->closed = true;
            detail::Shared<T>::wake_all(shared_->waiters, lock);
        }
        lock = {};
        shared_.reset();
    }

    std::shared_ptr<detail::Shared<T>> shared_;
};

/// A channel retaining `capacity` values (at least 1; rounded up to a power of two).
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
    static_assert(std::is_copy_constructible_v<T>, "pollen::broadcast: T is copied to each receiver");
    if (capacity == 0 || capacity > (std::size_t{1} << 62))
        throw std::invalid_argument("pollen::broadcast::channel: capacity must be at least 1");
    std::size_t cap = 1;
    while (cap < capacity) cap <<= 1;
    auto shared = std::make_shared<detail::Shared<T>>(cap);
    return {Sender<T>(shared), Receiver<T>(shared, 0)};
}

}  // namespace pollen::broadcast
