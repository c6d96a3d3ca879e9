#pragma once
/// mpsc::Receiver<T> / mpsc::UnboundedReceiver<T>: the receiving halves of
/// pollen's mpsc channels (Tokio's `mpsc::Receiver` / `UnboundedReceiver`).
///
/// `recv()` is a future Ready with the next value, or with nullopt once every
/// sender is gone (or `close()` was called) and all buffered values were
/// received; while empty it stores the task's waker, woken by the next send
/// or the last sender's drop from whichever thread does it. Receivers are
/// Streams (`Item`, `poll_next`). `try_recv` never waits; `blocking_recv`
/// parks a plain (non-runtime) thread.
///
/// Move-only; one owner polls it. Destroying a `recv()` future mid-way loses
/// nothing. Destroying the Receiver closes the channel: pending and later
/// sends fail and hand their values back, buffered values are destroyed,
/// `closed()` futures become ready.

#include <cstddef>
#include <utility>

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

template <class T>
class Receiver : public detail::RxHandle<T, detail::BoundedSemaphore> {
    using Base = detail::RxHandle<T, detail::BoundedSemaphore>;

public:
    /// Slots free right now.
    std::size_t capacity() const { return this->chan_->sem().available(); }
    /// The capacity the channel was created with.
    std::size_t max_capacity() const { return this->chan_->sem().bound(); }

private:
    template <class U>
    friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t);
    explicit Receiver(detail::Chan<T, detail::BoundedSemaphore>* chan) : Base(chan) {}
};

template <class T>
class UnboundedReceiver : public detail::RxHandle<T, detail::UnboundedSemaphore> {
    using Base = detail::RxHandle<T, detail::UnboundedSemaphore>;

private:
    template <class U>
    friend std::pair<UnboundedSender<U>, UnboundedReceiver<U>> unbounded_channel();
    explicit UnboundedReceiver(detail::Chan<T, detail::UnboundedSemaphore>* chan) : Base(chan) {}
};

}  // namespace pollen::mpsc
