#pragma once
/// mpsc::Receiver<T> / mpsc::UnboundedReceiver<T>: the receiving halves of
/// pollen's mpsc channels (Tokio's `mpsc::Receiver` / `UnboundedReceiver`).
///
/// `recv()` is a future Ready with the next value, or with nullopt once every
/// sender is gone (or `close()` was called) and all buffered values were
/// received; while empty it stores the task's waker, woken by the next send
/// or the last sender's drop from whichever thread does it. `try_recv` never
/// waits; `blocking_recv` parks a plain (non-runtime) thread.
/// `recv_many(buffer, limit)` waits as `recv()` does, then appends every value
/// already there (up to `limit`) to a `std::vector<T>&` and is Ready with how
/// many (0: closed and drained, or `limit` 0). `len()` / `is_empty()` count
/// the values waiting to be received.
///
/// Receivers are Streams of their values (tokio-stream's `ReceiverStream`
/// without the wrapper) and derive `StreamExt`: `rx.next()` is `recv()`
/// spelled as futures-rs does, and `std::move(rx).fold(0, f)`, `.map(f)`,
/// `.filter(p)`... consume the receiver. None of the receiver's own methods
/// shares a name with a StreamExt method, so each name keeps one meaning.
///
/// Move-only; one owner polls it. Destroying a `recv()` future mid-way loses
/// nothing. Destroying the Receiver closes the channel: pending and later
/// sends fail and hand their values back, buffered values are destroyed,
/// `closed()` futures become ready, and every waker the channel held (the
/// receiver's own, waiting senders', `closed()` futures') is released at
/// once, even while senders live on.
///
/// A default-constructed Receiver is empty (as is a moved-from one, and
/// `rx = {}` / `pollen::drop(std::move(rx))` make it so after closing its
/// channel): it answers as the receiver of a closed, drained channel, so
/// `recv()` and `poll_next` are Ready(nullopt), `try_recv` is Disconnected,
/// `is_closed()` is true, `close()` does nothing, `recv_many` is Ready(0),
/// and `len()` and both capacities are 0.

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../core/stream/stream_ext.hpp"
#include "detail/mpsc_rx.hpp"

namespace pollen::mpsc {

template <class T>
class Sender;
template <class T>
class UnboundedSender;

/// The future of a bounded `Receiver::recv()`.
template <class T>
using Recv = detail::Recv<T, detail::BoundedSemaphore>;
/// The future of an `UnboundedReceiver::recv()`.
template <class T>
using UnboundedRecv = detail::Recv<T, detail::UnboundedSemaphore>;
/// The future of a bounded `Receiver::recv_many(buffer, limit)`.
template <class T>
using RecvMany = detail::RecvMany<T, detail::BoundedSemaphore>;
/// The future of an `UnboundedReceiver::recv_many(buffer, limit)`.
template <class T>
using UnboundedRecvMany = detail::RecvMany<T, detail::UnboundedSemaphore>;

template <class T>
class Receiver : public detail::RxHandle<T, detail::BoundedSemaphore>, public StreamExt<Receiver<T>> {
    using Base = detail::RxHandle<T, detail::BoundedSemaphore>;

public:
    /// An empty receiver, attached to no channel.
    Receiver() noexcept = default;
    /// Move-only: one consumer (Rust's Receiver is not Clone either). Copying
    /// one from a non-const lvalue picks this instead of the deleted copy, so
    /// the error is pollen's message; the copy traits stay false.
    template <class U>
        requires std::is_same_v<U, Receiver>
    Receiver(U&) : Receiver() {
        static_assert(std::is_copy_constructible_v<U>,
                      "pollen::mpsc::Receiver is move-only (one consumer; Rust's is not Clone either): "
                      "pass it on with std::move(rx); to let several tasks receive, share it behind a "
                      "pollen::Mutex, or use a broadcast channel");
    }

    /// Slots free right now (0 when empty).
    std::size_t capacity() const { return this->chan_ ? this->chan_->sem().available() : 0; }
    /// The capacity the channel was created with (0 when empty).
    std::size_t max_capacity() const { return this->chan_ ? this->chan_->sem().bound() : 0; }

private:
    template <class U>
    friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t);
    explicit Receiver(detail::Chan<T, detail::BoundedSemaphore>* chan) : Base(chan) {}
};

template <class T>
class UnboundedReceiver : public detail::RxHandle<T, detail::UnboundedSemaphore>,
                          public StreamExt<UnboundedReceiver<T>> {
    using Base = detail::RxHandle<T, detail::UnboundedSemaphore>;

public:
    /// An empty receiver, attached to no channel.
    UnboundedReceiver() noexcept = default;
    /// Move-only: one consumer (Rust's Receiver is not Clone either). Copying
    /// one from a non-const lvalue picks this instead of the deleted copy, so
    /// the error is pollen's message; the copy traits stay false.
    template <class U>
        requires std::is_same_v<U, UnboundedReceiver>
    UnboundedReceiver(U&) : UnboundedReceiver() {
        static_assert(std::is_copy_constructible_v<U>,
                      "pollen::mpsc::UnboundedReceiver is move-only (one consumer; Rust's is not Clone either): "
                      "pass it on with std::move(rx); to let several tasks receive, share it behind a "
                      "pollen::Mutex, or use a broadcast channel");
    }

private:
    template <class U>
    friend std::pair<UnboundedSender<U>, UnboundedReceiver<U>> unbounded_channel();
    explicit UnboundedReceiver(detail::Chan<T, detail::UnboundedSemaphore>* chan) : Base(chan) {}
};

}  // namespace pollen::mpsc
