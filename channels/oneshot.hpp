#pragma once
/// pollen::oneshot: a channel for exactly one value, Tokio's `sync::oneshot`.
///
///     auto [tx, rx] = pollen::oneshot::channel<int>();
///     std::move(tx).send(42);          // Result<void, int>: the value back if rx is gone
///     ... rx is a Future with Output Result<int, RecvError>
///
/// Receiver's poll is Ready with the value once it was sent, with RecvError
/// once the Sender was dropped without sending (or the Receiver closed
/// itself), and Pending otherwise, having stored the task's waker. The Sender
/// may live on any thread: `send`, dropping the Sender and the Receiver's
/// `close`/drop wake the other side from the thread that does them.
///
/// Destroying the Receiver mid-way closes the channel: a later `send` fails
/// and gives the value back, `Sender::closed()` becomes ready, and a value
/// already sent is destroyed right there. Destroying the Sender without
/// sending wakes the Receiver with RecvError. Both handles and the state
/// share one allocation, freed by the last of them; no lock is taken.
///
/// Both polls draw on the cooperative budget (core/coop.hpp): with the budget
/// spent they wake the task and return Pending even when ready.
///
/// Unlike most pollen futures, Receiver and Closed are Unpin (Rust's term):
/// their state lives in the shared allocation, so they may be moved between
/// polls and carry no PinCheck. Use `Unit` for a value-less signal.
///
/// Both halves may be empty: default-constructed, moved from, assigned `{}`
/// or given to `pollen::drop`, which drops them early as Rust's `drop(tx)`
/// does (a dropped Sender wakes the Receiver with RecvError). An empty
/// Sender is one that has sent: `send` fails with the value back,
/// `is_closed()` is true and `closed()` is ready at once. An empty Receiver
/// is one that has received: `try_recv` is Closed, `close()` does nothing,
/// and polling it stops the program with a message, as polling a completed
/// Receiver does (Tokio panics there too).

#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "../core/context.hpp"
#include "../core/coop.hpp"
#include "../core/future.hpp"
#include "../core/future_ext.hpp"
#include "../core/poll.hpp"
#include "../core/result.hpp"
#include "detail/empty_handle.hpp"
#include "detail/oneshot_inner.hpp"

namespace pollen::oneshot {

/// The Sender was dropped without sending (or the Receiver was closed first).
struct RecvError {
    bool operator==(const RecvError&) const = default;
};

/// Why `try_recv` has no value: not sent yet, or never will be.
enum class TryRecvError { Empty, Closed };

namespace detail {
/// The `closed()` poll, drawing on the cooperative budget like Tokio's.
template <class T>
Poll<void> poll_closed(OneshotInner<T>& inner, Context& cx) {
    if (!coop::poll_proceed(cx)) return pending;
    if (inner.poll_closed(cx)) return ready();
    coop::refund();
    return pending;
}
}  // namespace detail

template <class T>
class Sender;
template <class T>
class Receiver;

/// The future of `Sender::closed()`: Ready once the Receiver is closed or
/// dropped. Only one at a time per channel, polled by the Sender's owner; it
/// keeps the shared state alive by itself. Destroying it only drops interest.
template <class T>
class Closed : public FutureExt<Closed<T>> {
public:
    using Output = void;

    Closed(Closed&& other) noexcept : inner_(std::exchange(other.inner_, nullptr)) {}
    Closed& operator=(Closed&& other) noexcept {
        if (this != &other) {
            if (inner_) inner_->release();
            inner_ = std::exchange(other.inner_, nullptr);
        }
        return *this;
    }
    ~Closed() {
        if (inner_) inner_->release();
    }

    Poll<void> poll(Context& cx) {
        if (inner_ == nullptr) return ready();
        return detail::poll_closed(*inner_, cx);
    }

private:
    friend class Sender<T>;
    explicit Closed(detail::OneshotInner<T>* inner) : inner_(inner) {
        if (inner_) inner_->add_ref();
    }
    detail::OneshotInner<T>* inner_;
};

/// The sending half. Move-only; `send` consumes it.
template <class T>
class Sender {
public:
    /// An empty Sender, attached to no channel.
    Sender() noexcept = default;
    Sender(Sender&& other) noexcept : inner_(std::exchange(other.inner_, nullptr)) {}
    Sender& operator=(Sender&& other) noexcept {
        if (this != &other) {
            drop();
            inner_ = std::exchange(other.inner_, nullptr);
        }
        return *this;
    }
    ~Sender() { drop(); }

    /// Sends the value; Err(value) when the Receiver is closed or gone.
    /// Never blocks, so it may be called from any thread, async or not.
    template <class U = T>
        requires std::is_constructible_v<T, U&&>
    Result<void, T> send(U&& value) && {
        detail::OneshotInner<T>* inner = std::exchange(inner_, nullptr);
        if (inner == nullptr) return Err(T(std::forward<U>(value)));
        inner->put(std::forward<U>(value));
        if (!inner->complete()) {
            T back = inner->take_back();
            inner->release();
            return Err(std::move(back));
        }
        inner->release();
        return Ok();
    }

    /// True once the Receiver was closed or dropped (a send would fail).
    bool is_closed() const {
        return inner_ == nullptr || (inner_->load() & detail::OneshotInner<T>::kClosed) != 0;
    }

    /// A future Ready once the Receiver is closed or dropped (at once when empty).
    Closed<T> closed() const { return Closed<T>(inner_); }

    /// The poll behind `closed()`, for hand-written futures that own the Sender.
    Poll<void> poll_closed(Context& cx) {
        if (inner_ == nullptr) return ready();
        return detail::poll_closed(*inner_, cx);
    }

private:
    template <class U>
    friend std::pair<Sender<U>, Receiver<U>> channel();
    explicit Sender(detail::OneshotInner<T>* inner) : inner_(inner) {}

    void drop() {
        if (detail::OneshotInner<T>* inner = std::exchange(inner_, nullptr)) {
            inner->complete();  // with an empty slot: the Receiver gets RecvError
            inner->release();
        }
    }

    detail::OneshotInner<T>* inner_ = nullptr;
};

/// The receiving half, itself the future of the value.
template <class T>
class Receiver : public FutureExt<Receiver<T>> {
public:
    using Output = Result<T, RecvError>;

    /// An empty Receiver, attached to no channel: not to be polled.
    Receiver() noexcept = default;
    /// Move-only: it receives the one value once. Copying one from a non-const
    /// lvalue picks this instead of the deleted copy, so the error is
    /// pollen's message; the copy traits stay false.
    template <class U>
        requires std::is_same_v<U, Receiver>
    Receiver(U&) : Receiver() {
        static_assert(std::is_copy_constructible_v<U>,
                      "pollen::oneshot::Receiver is move-only (it receives the one value once): pass it "
                      "on with std::move(rx); to let several tasks wait for the value, use a watch or "
                      "broadcast channel");
    }
    Receiver(Receiver&& other) noexcept : inner_(std::exchange(other.inner_, nullptr)) {}
    Receiver& operator=(Receiver&& other) noexcept {
        if (this != &other) {
            drop();
            inner_ = std::exchange(other.inner_, nullptr);
        }
        return *this;
    }
    ~Receiver() { drop(); }

    /// Ready with the value or RecvError; not to be polled after that.
    Poll<Output> poll(Context& cx) {
        if (inner_ == nullptr) channels::detail::empty_handle_used("oneshot::Receiver::poll");
        // Tokio's coop: a spent budget yields even when the value is there.
        if (!coop::poll_proceed(cx)) return pending;
        if (!inner_->poll_recv(cx)) {
            coop::refund();  // no progress, so nothing spent
            return pending;
        }
        return Ready<Output>{finish()};
    }

    /// The value if it is there now, without waiting: Empty when not sent
    /// yet, Closed when it never will be (or was already received).
    Result<T, TryRecvError> try_recv() {
        if (inner_ == nullptr) return Err(TryRecvError::Closed);
        std::uint32_t s = inner_->load();
        if (!(s & (detail::OneshotInner<T>::kValueSent | detail::OneshotInner<T>::kClosed)))
            return Err(TryRecvError::Empty);
        Result<T, RecvError> r = finish();
        if (r.is_ok()) return Ok(std::move(r).value());
        return Err(TryRecvError::Closed);
    }

    /// Prevents the Sender from sending; a value already sent can still be
    /// received. Wakes a Sender waiting in `closed()`.
    void close() {
        if (inner_) inner_->close();
    }

    /// For task dumps (core/trace.hpp): the channel's address and whether a value is there.
    void describe(TraceVisitor& v) const {
        if (inner_ == nullptr) return v.waits_on("recv on oneshot channel (empty receiver)");
        std::uint32_t s = inner_->load();
        v.waits_on("recv on oneshot channel " + trace::address(inner_) +
                   ((s & detail::OneshotInner<T>::kValueSent)                ? " (value sent, not yet seen)"
                    : (s & detail::OneshotInner<T>::kClosed) ? " (closed)"
                                                             : " (nothing sent yet)"));
    }

private:
    template <class U>
    friend std::pair<Sender<U>, Receiver<U>> channel();
    explicit Receiver(detail::OneshotInner<T>* inner) : inner_(inner) {}

    /// After VALUE_SENT or CLOSED was seen: the outcome, and the channel released.
    Result<T, RecvError> finish() {
        detail::OneshotInner<T>* inner = std::exchange(inner_, nullptr);
        std::optional<T> v = (inner->load() & detail::OneshotInner<T>::kValueSent)
                                 ? inner->take()
                                 : std::nullopt;
        inner->release();
        if (v) return Ok(std::move(*v));
        return Err(RecvError{});
    }

    void drop() {
        if (detail::OneshotInner<T>* inner = std::exchange(inner_, nullptr)) {
            inner->release_rx_waker();
            // An unreceived value dies with the Receiver, not with the last handle.
            if (inner->close() & detail::OneshotInner<T>::kValueSent) inner->take();
            inner->release();
        }
    }

    detail::OneshotInner<T>* inner_ = nullptr;
};

/// A new channel: one allocation shared by the two halves.
template <class T>
std::pair<Sender<T>, Receiver<T>> channel() {
    static_assert(!std::is_void_v<T>, "pollen::oneshot: use Unit for a value-less channel");
    auto* inner = new detail::OneshotInner<T>();
    return {Sender<T>(inner), Receiver<T>(inner)};
}

}  // namespace pollen::oneshot
