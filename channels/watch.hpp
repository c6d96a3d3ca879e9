#pragma once
/// pollen::watch: Tokio's `sync::watch`, a channel that holds one value, the
/// latest, and tells receivers when it changes.
///
///     auto [tx, rx] = pollen::watch::channel<Config>(initial);
///     tx.send(next);                 // Err (value back) when no receiver is left
///     tx.send_modify([](Config& c) { c.level = 2; });
///     rx.changed()                   // future: Result<void, RecvError>
///     auto cfg = rx.borrow_and_update();   // read guard, marks the value seen
///     rx.wait_for([](const Config& c) { return c.ready; })  // future: Result<Ref<Config>, RecvError>
///
/// Every send bumps a version; each Receiver remembers the version it last
/// saw. `changed()` is Ready(Ok) as soon as the current version is newer than
/// that (marking it seen), Ready(Err) once every Sender is gone and nothing
/// new is left to see, and otherwise stores the task's waker, woken by the
/// next send or by the last Sender's drop from the thread that does it.
/// Destroying a `changed()` future mid-way only drops its interest.
///
/// `borrow()` returns a guard holding a shared lock on the value: keep it
/// short, and never across a point where the task may wait (a send on the
/// same thread would deadlock, as in Tokio). Receivers are copyable (each
/// copy tracks its own version). Senders are copyable too (Tokio 1.37's
/// `Sender: Clone`): every copy sends into the same value, sends from
/// several threads are serialised by the value's lock, and the channel
/// closes for the receivers only when the last Sender is gone.
/// `Sender::closed()` is Ready once every receiver is gone.
///
/// Both halves may be empty: default-constructed, moved from, assigned `{}`
/// or given to `pollen::drop` (Rust's `drop(tx)`: dropping the last Sender
/// early closes the channel). An empty handle answers as one of a closed channel
/// where it can: an empty Sender's `send` fails with the value back, its
/// `subscribe()` gives an empty Receiver, `receiver_count()` and
/// `sender_count()` are 0 and `closed()` is ready at once (copying it gives
/// another empty Sender); an empty Receiver's `changed()` and
/// `has_changed()` give RecvError and `mark_changed`/`mark_unchanged` do
/// nothing. There is no value to read or modify, so `borrow`,
/// `borrow_and_update`, `send_replace`, `send_modify` and `send_if_modified`
/// on an empty handle stop the program with a message.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <type_traits>
#include <utility>

#include "../core/context.hpp"
#include "../core/coop.hpp"
#include "../core/future.hpp"
#include "../core/future_ext.hpp"
#include "../core/poll.hpp"
#include "../core/result.hpp"
#include "../sync/detail/wait_list.hpp"
#include "../sync/detail/wake_list.hpp"
#include "../core/detail/block_on_thread.hpp"
#include "detail/empty_handle.hpp"

namespace pollen::watch {

/// Every receiver is gone; `value` is the value that was not stored.
template <class T>
struct SendError {
    T value;
    T into_inner() && { return std::move(value); }
};

/// Every Sender is gone (and, for `changed()`, the current value was seen).
struct RecvError {
    bool operator==(const RecvError&) const = default;
};

namespace detail {

template <class T>
struct Shared {
    template <class U>
    explicit Shared(U&& v) : value(std::forward<U>(v)) {}

    static constexpr std::uint64_t kClosed = 1;
    static constexpr std::uint64_t kStep = 2;

    std::uint64_t version() const { return state.load(std::memory_order_acquire) & ~kClosed; }
    bool closed() const { return state.load(std::memory_order_acquire) & kClosed; }

    using Waiters = pollen::detail::WaitList<pollen::detail::Waiter>;

    /// Wakes the futures queued in `list` now, in batches with the lock
    /// released; a future queued meanwhile waits for the next change. A
    /// waker that throws stops nothing: the rest are woken, then it leaves.
    void wake_all(Waiters& list) {
        std::unique_lock lock(wait_mu);
        if (list.empty()) return;
        Waiters batch;
        list.move_all_to(batch);
        std::exception_ptr thrown = pollen::detail::release_waiters(batch, lock);
        if (thrown) std::rethrow_exception(thrown);
    }

    /// Queues `node` in `list` (or refreshes its waker).
    void enqueue(Waiters& list, pollen::detail::Waiter& node, const Waker& w) {
        std::optional<Waker> old;  // dropped after unlocking
        std::lock_guard lock(wait_mu);
        old = node.set_waker(w);
        if (!node.is_linked()) list.push_back(&node);
    }

    /// For a future destroyed while queued (in `list` or in a batch being woken).
    void forget(pollen::detail::Waiter& node) {
        std::optional<Waker> old;  // dropped after unlocking
        std::lock_guard lock(wait_mu);
        old = node.leave();
    }

    mutable std::shared_mutex value_mu;
    T value;
    /// version << 1 | CLOSED; the version moves only under `value_mu` held
    /// exclusively, so a reader holding it sees a value and version that match.
    std::atomic<std::uint64_t> state{0};
    std::atomic<std::size_t> rx_count{1};
    std::atomic<std::size_t> tx_count{1};
    std::mutex wait_mu;
    Waiters rx_waiters;  ///< changed() futures
    Waiters tx_waiters;  ///< Sender::closed() futures
};

}  // namespace detail

/// A read guard on the channel's value (a shared lock); `has_changed()` says
/// whether the value was new to the receiver that borrowed it.
template <class T>
class Ref {
public:
    const T& operator*() const { return *value_; }
    const T* operator->() const { return value_; }
    const T& get() const { return *value_; }
    bool has_changed() const { return changed_; }

private:
    template <class>
    friend class Sender;
    template <class>
    friend class Receiver;
    Ref(std::shared_lock<std::shared_mutex> lock, const T& value, bool changed)
        : lock_(std::move(lock)), value_(&value), changed_(changed) {}

    std::shared_lock<std::shared_mutex> lock_;
    const T* value_;
    bool changed_;
};

template <class T>
class Receiver;

/// The future of `Receiver::changed()`. Borrows the receiver.
template <class T>
class Changed : public FutureExt<Changed<T>> {
public:
    using Output = Result<void, RecvError>;

    explicit Changed(Receiver<T>& rx) : rx_(&rx) {}
    Changed(Changed&& other) noexcept : rx_(other.rx_), pin_(std::move(other.pin_)) {}
    Changed& operator=(Changed&&) = delete;
    ~Changed() {
        if (queued_) rx_->shared_->forget(node_);
    }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (!coop::poll_proceed(cx)) return pending;
        if (auto r = rx_->maybe_changed()) return Ready<Output>{std::move(*r)};
        rx_->shared_->enqueue(rx_->shared_->rx_waiters, node_, cx.waker());
        queued_ = true;
        // A send between the check and the queueing found nobody to wake.
        if (auto r = rx_->maybe_changed()) return Ready<Output>{std::move(*r)};
        coop::refund();
        return pending;
    }

    /// For task dumps (core/trace.hpp): the channel's address.
    void describe(TraceVisitor& v) const {
        v.waits_on("changed() of watch channel " + trace::address(rx_->shared_.get()));
    }

private:
    Receiver<T>* rx_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
    pollen::detail::Waiter node_;
    bool queued_ = false;
};

/// The future of `Receiver::wait_for(pred)` (Tokio's `wait_for`): Ready
/// with a read guard on the first value, current or later, for which
/// `pred(value)` is true, marking it seen; Ready(Err(RecvError)) once every
/// Sender is gone and `pred` was false for the last value. `pred` is called
/// on the current value at the first poll (even if already seen), then once
/// per change it wakes for (intermediate values a fast sender overwrote are
/// skipped, as in Tokio), each time under the value's read lock: it must
/// not send on the channel. Destroying it mid-way only drops its interest.
/// Borrows the receiver; must not be moved after its first poll.
template <class T, class Pred>
class WaitFor : public FutureExt<WaitFor<T, Pred>> {
public:
    using Output = Result<Ref<T>, RecvError>;

    WaitFor(Receiver<T>& rx, Pred pred) : rx_(&rx), pred_(std::move(pred)) {}
    WaitFor(WaitFor&& other) noexcept(std::is_nothrow_move_constructible_v<Pred>)
        : rx_(other.rx_), pred_(std::move(other.pred_)), checked_current_(other.checked_current_) {}
    WaitFor& operator=(WaitFor&&) = delete;

    Poll<Output> poll(Context& cx) {
        if (!checked_current_) {
            checked_current_ = true;
            if (auto found = check()) return Ready<Output>{Ok(std::move(*found))};
        }
        for (;;) {
            if (!changed_) changed_.emplace(*rx_);
            auto p = changed_->poll(cx);
            if (p.is_pending()) return pending;
            changed_.reset();
            if (p.value().is_err()) return Ready<Output>{Err(RecvError{})};
            if (auto found = check()) return Ready<Output>{Ok(std::move(*found))};
        }
    }

private:
    std::optional<Ref<T>> check() {
        if (!rx_->shared_) return std::nullopt;  // an empty Receiver: its changed() fails next
        Ref<T> value = rx_->borrow_and_update();
        if (std::invoke(pred_, *value)) return std::optional<Ref<T>>(std::move(value));
        return std::nullopt;
    }

    Receiver<T>* rx_;
    Pred pred_;
    bool checked_current_ = false;
    std::optional<Changed<T>> changed_;
};

template <class T>
class Sender;

/// A receiving half. Copies share the channel and start from this one's version.
template <class T>
class Receiver {
public:
    /// An empty Receiver, attached to no channel.
    Receiver() noexcept = default;
    Receiver(const Receiver& other) : shared_(other.shared_), version_(other.version_) {
        if (shared_) shared_->rx_count.fetch_add(1, std::memory_order_relaxed);
    }
    Receiver(Receiver&& other) noexcept : shared_(std::move(other.shared_)), version_(other.version_) {}
    Receiver& operator=(const Receiver& other) {
        if (this != &other) *this = Receiver(other);
        return *this;
    }
    Receiver& operator=(Receiver&& other) noexcept {
        if (this != &other) {
            reset();
            shared_ = std::move(other.shared_);
            version_ = other.version_;
        }
        return *this;
    }
    ~Receiver() { reset(); }

    /// The current value, without marking it seen.
    Ref<T> borrow() const {
        if (!shared_) channels::detail::empty_handle_used("watch::Receiver::borrow");
        std::shared_lock lock(shared_->value_mu);
        bool changed = shared_->version() != version_;
        return Ref<T>(std::move(lock), shared_->value, changed);
    }

    /// The current value, marking it seen.
    Ref<T> borrow_and_update() {
        if (!shared_) channels::detail::empty_handle_used("watch::Receiver::borrow_and_update");
        std::shared_lock lock(shared_->value_mu);
        std::uint64_t v = shared_->version();
        bool changed = v != version_;
        version_ = v;
        return Ref<T>(std::move(lock), shared_->value, changed);
    }

    /// Ok(true) if a value newer than the last seen was sent; Err once every Sender is gone.
    Result<bool, RecvError> has_changed() const {
        if (!shared_) return Err(RecvError{});
        std::uint64_t s = shared_->state.load(std::memory_order_acquire);
        if (s & detail::Shared<T>::kClosed) return Err(RecvError{});
        return Ok((s & ~detail::Shared<T>::kClosed) != version_);
    }

    /// A future Ready(Ok) once a value newer than the last seen was sent
    /// (and then marks it seen); Ready(Err) when every Sender is gone and the
    /// current value was seen.
    Changed<T> changed() { return Changed<T>(*this); }

    /// A future of a read guard on the first value (the current one
    /// included, seen or not) for which `pred(const T&)` is true (see WaitFor).
    template <class Pred>
        requires std::is_invocable_r_v<bool, Pred&, const T&>
    WaitFor<T, Pred> wait_for(Pred pred) {
        return WaitFor<T, Pred>(*this, std::move(pred));
    }

    /// `changed()` for a plain (non-runtime) thread.
    Result<void, RecvError> blocking_changed() {
        Changed<T> fut = changed();
        return pollen::detail::block_on_thread(fut);
    }

    /// Treats the current value as seen / unseen.
    void mark_unchanged() {
        if (shared_) version_ = shared_->version();
    }
    void mark_changed() {
        if (shared_) version_ = shared_->version() - detail::Shared<T>::kStep;
    }

    bool same_channel(const Receiver& other) const { return shared_ && shared_ == other.shared_; }

private:
    friend class Sender<T>;
    friend class Changed<T>;
    template <class, class>
    friend class WaitFor;
    template <class U, class V>
    friend std::pair<Sender<U>, Receiver<U>> channel(V&&);
    Receiver(std::shared_ptr<detail::Shared<T>> shared, std::uint64_t version)
        : shared_(std::move(shared)), version_(version) {}

    std::optional<Result<void, RecvError>> maybe_changed() {
        if (!shared_) return Result<void, RecvError>(Err(RecvError{}));
        std::uint64_t s = shared_->state.load(std::memory_order_acquire);
        std::uint64_t v = s & ~detail::Shared<T>::kClosed;
        if (v != version_) {
            version_ = v;
            return Result<void, RecvError>(Ok());
        }
        if (s & detail::Shared<T>::kClosed) return Result<void, RecvError>(Err(RecvError{}));
        return std::nullopt;
    }

    void reset() {
        if (!shared_) return;
        if (shared_->rx_count.fetch_sub(1, std::memory_order_acq_rel) == 1)
            shared_->wake_all(shared_->tx_waiters);
        shared_.reset();
    }

    std::shared_ptr<detail::Shared<T>> shared_;
    std::uint64_t version_ = 0;
};

/// The future of `Sender::closed()`: Ready once every receiver is gone (at
/// once for an empty Sender). Borrows the Sender; destroying it mid-way only
/// drops its interest.
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
        if (shared_->rx_count.load(std::memory_order_acquire) == 0) return ready();
        shared_->enqueue(shared_->tx_waiters, node_, cx.waker());
        queued_ = true;
        if (shared_->rx_count.load(std::memory_order_acquire) == 0) return ready();
        coop::refund();
        return pending;
    }

private:
    detail::Shared<T>* shared_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
    pollen::detail::Waiter node_;
    bool queued_ = false;
};

/// The sending half. Copyable; dropping the last copy closes the channel.
template <class T>
class Sender {
public:
    /// An empty Sender, attached to no channel.
    Sender() noexcept = default;
    Sender(const Sender& other) : shared_(other.shared_) {
        if (shared_) shared_->tx_count.fetch_add(1, std::memory_order_relaxed);
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

    /// Stores `value` and notifies the receivers; Err with the value back
    /// (and nothing stored) when no receiver is left.
    template <class U = T>
        requires std::is_constructible_v<T, U&&>
    Result<void, SendError<T>> send(U&& value) const {
        if (receiver_count() == 0) return Err(SendError<T>{T(std::forward<U>(value))});
        send_replace(std::forward<U>(value));
        return Ok();
    }

    /// Stores `value` whether or not anyone listens; returns the old value.
    template <class U = T>
        requires std::is_constructible_v<T, U&&>
    T send_replace(U&& value) const {
        if (!shared_) channels::detail::empty_handle_used("watch::Sender::send_replace");
        T incoming(std::forward<U>(value));
        {
            std::unique_lock lock(shared_->value_mu);
            std::swap(shared_->value, incoming);
            bump();
        }
        shared_->wake_all(shared_->rx_waiters);
        return incoming;
    }

    /// Modifies the value in place (under the write lock), then notifies.
    template <class Fn>
    void send_modify(Fn&& fn) const {
        send_if_modified([&](T& v) {
            std::forward<Fn>(fn)(v);
            return true;
        });
    }

    /// Runs `fn(value&)`; notifies only if it returns true. Returns that.
    template <class Fn>
    bool send_if_modified(Fn&& fn) const {
        if (!shared_) channels::detail::empty_handle_used("watch::Sender::send_if_modified");
        {
            std::unique_lock lock(shared_->value_mu);
            if (!std::forward<Fn>(fn)(shared_->value)) return false;
            bump();
        }
        shared_->wake_all(shared_->rx_waiters);
        return true;
    }

    /// The current value (a read guard).
    Ref<T> borrow() const {
        if (!shared_) channels::detail::empty_handle_used("watch::Sender::borrow");
        std::shared_lock lock(shared_->value_mu);
        return Ref<T>(std::move(lock), shared_->value, false);
    }

    /// A new receiver that has seen the current value.
    Receiver<T> subscribe() const {
        if (!shared_) return Receiver<T>();
        shared_->rx_count.fetch_add(1, std::memory_order_relaxed);
        std::shared_lock lock(shared_->value_mu);
        return Receiver<T>(shared_, shared_->version());
    }

    std::size_t receiver_count() const {
        return shared_ ? shared_->rx_count.load(std::memory_order_acquire) : 0;
    }
    /// Senders of this channel, this one included (0 when empty).
    std::size_t sender_count() const {
        return shared_ ? shared_->tx_count.load(std::memory_order_acquire) : 0;
    }
    /// True when both send into the same channel (never for an empty Sender).
    bool same_channel(const Sender& other) const { return shared_ && shared_ == other.shared_; }
    /// True once every receiver is gone.
    bool is_closed() const { return receiver_count() == 0; }
    /// A future Ready once every receiver is gone.
    Closed<T> closed() const { return Closed<T>(shared_.get()); }

private:
    template <class U, class V>
    friend std::pair<Sender<U>, Receiver<U>> channel(V&&);
    explicit Sender(std::shared_ptr<detail::Shared<T>> shared) : shared_(std::move(shared)) {}

    void bump() const { shared_->state.fetch_add(detail::Shared<T>::kStep, std::memory_order_release); }

    void reset() {
        if (!shared_) return;
        if (shared_->tx_count.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            shared_->state.fetch_or(detail::Shared<T>::kClosed, std::memory_order_release);
            shared_->wake_all(shared_->rx_waiters);
        }
        shared_.reset();
    }

    std::shared_ptr<detail::Shared<T>> shared_;
};

/// A channel holding `init`; the receiver has seen it.
template <class T, class V>
std::pair<Sender<T>, Receiver<T>> channel(V&& init) {
    auto shared = std::make_shared<detail::Shared<T>>(std::forward<V>(init));
    return {Sender<T>(shared), Receiver<T>(shared, 0)};
}

}  // namespace pollen::watch
