#pragma once
/// detail::RxHandle<T, Sem>, detail::Recv<T, Sem> and detail::RecvMany<T, Sem>:
/// what the bounded and unbounded mpsc receivers share. RxHandle owns the
/// receiver's reference to the Chan; Recv is the future `recv()` returns,
/// borrowing the receiver (the receiver must outlive it, like Rust's
/// `&mut self` future), RecvMany the one of `recv_many`. Recv holds no
/// state of its own, so it may be moved between polls and destroying it
/// mid-way loses nothing: a value not yet received stays in the channel.
/// An empty RxHandle (no Chan) answers as the receiver of a closed, drained
/// channel: every receive ends at once.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../../core/context.hpp"
#include "../../core/future_ext.hpp"
#include "../../core/poll.hpp"
#include "../../core/result.hpp"
#include "../mpsc_error.hpp"
#include "../../core/detail/block_on_thread.hpp"
#include "mpsc_chan.hpp"

namespace pollen::mpsc::detail {

template <class T, class Sem>
class Recv : public FutureExt<Recv<T, Sem>> {
public:
    using Output = std::optional<T>;
    explicit Recv(Chan<T, Sem>* chan) : chan_(chan) {}

    /// Ready with the next value, or nullopt once the channel is closed and drained.
    Poll<Output> poll(Context& cx) {
        if (chan_ == nullptr) return Ready<Output>{std::nullopt};  // an empty receiver: ended
        return chan_->poll_recv(cx);
    }

    /// For task dumps (core/trace.hpp): the channel's address, what is
    /// queued, and its capacity (len() reads only atomics and the receiver's
    /// own index, which belongs to the task being dumped).
    void describe(TraceVisitor& v) const {
        if (chan_ == nullptr) return v.waits_on("recv on mpsc channel (empty receiver)");
        std::string s = "recv on mpsc channel " + trace::address(chan_) + " (" + std::to_string(chan_->len()) + " queued, ";
        if constexpr (requires { chan_->sem().bound(); }) s += "capacity " + std::to_string(chan_->sem().bound());
        else s += "unbounded";
        v.waits_on(s + ")");
    }

private:
    Chan<T, Sem>* chan_;
};

/// The future of `recv_many(buffer, limit)`: Ready with how many values it
/// appended to `buffer` (at least one), or 0 when `limit` is 0 or the
/// channel is closed and drained. Borrows the receiver and the buffer; like
/// Recv it holds no state, so it may be moved between polls, and destroying
/// it mid-way loses nothing (values are taken only by the poll that is Ready).
template <class T, class Sem>
class RecvMany : public FutureExt<RecvMany<T, Sem>> {
public:
    using Output = std::size_t;
    RecvMany(Chan<T, Sem>* chan, std::vector<T>& buffer, std::size_t limit)
        : chan_(chan), buffer_(&buffer), limit_(limit) {}

    Poll<std::size_t> poll(Context& cx) {
        if (chan_ == nullptr) return Ready<std::size_t>{0};  // an empty receiver: ended
        return chan_->poll_recv_many(cx, *buffer_, limit_);
    }

private:
    Chan<T, Sem>* chan_;
    std::vector<T>* buffer_;
    std::size_t limit_;
};

template <class T, class Sem>
class RxHandle {
public:
    /// Receivers are Streams of their values.
    using Item = T;

    RxHandle(RxHandle&& other) noexcept : chan_(std::exchange(other.chan_, nullptr)) {}
    RxHandle& operator=(RxHandle&& other) noexcept {
        if (this != &other) {
            reset();
            chan_ = std::exchange(other.chan_, nullptr);
        }
        return *this;
    }
    RxHandle(const RxHandle&) = delete;
    RxHandle& operator=(const RxHandle&) = delete;
    ~RxHandle() { reset(); }

    /// A future of the next value: nullopt once every sender is gone (or the
    /// receiver closed) and everything buffered was received.
    Recv<T, Sem> recv() { return Recv<T, Sem>(chan_); }

    /// The poll behind `recv()`, for hand-written futures that own the receiver.
    Poll<std::optional<T>> poll_recv(Context& cx) { return Recv<T, Sem>(chan_).poll(cx); }
    /// For task dumps (core/trace.hpp), when the receiver is awaited as a stream.
    void describe(TraceVisitor& v) const { Recv<T, Sem>(chan_).describe(v); }
    /// The Stream poll: the same as `poll_recv`.
    Poll<std::optional<T>> poll_next(Context& cx) { return poll_recv(cx); }

    /// A future that waits for at least one value, then appends to `buffer`
    /// every value already there, up to `limit`, and is Ready with how many
    /// it appended (Tokio's `recv_many`). Ready(0) means the channel is
    /// closed and drained, or `limit` is 0. The buffer grows as needed;
    /// what it held before is kept.
    RecvMany<T, Sem> recv_many(std::vector<T>& buffer, std::size_t limit) {
        return RecvMany<T, Sem>(chan_, buffer, limit);
    }
    /// The poll behind `recv_many`, for hand-written futures.
    Poll<std::size_t> poll_recv_many(Context& cx, std::vector<T>& buffer, std::size_t limit) {
        return RecvMany<T, Sem>(chan_, buffer, limit).poll(cx);
    }

    /// Values in the channel not yet received (0 when empty). A value whose
    /// send is midway counts: `try_recv` right after may still wait a few
    /// instructions for it to be written, as Tokio's does.
    std::size_t len() const { return chan_ ? chan_->len() : 0; }
    /// `len() == 0`.
    bool is_empty() const { return len() == 0; }

    /// A value now, or Empty / Disconnected.
    Result<T, TryRecvError> try_recv() {
        if (chan_ == nullptr) return Err(TryRecvError::Disconnected);
        std::optional<T> out;
        switch (chan_->try_recv(out)) {
            case TryRecv::Value: return Ok(std::move(*out));
            case TryRecv::Empty: return Err(TryRecvError::Empty);
            case TryRecv::Disconnected: break;
        }
        return Err(TryRecvError::Disconnected);
    }

    /// `recv()` for a plain thread: parks it until a value or the end comes.
    std::optional<T> blocking_recv() {
        Recv<T, Sem> fut = recv();
        return pollen::detail::block_on_thread(fut);
    }

    /// Closes the channel for the senders; what is buffered can still be received.
    void close() {
        if (chan_ != nullptr) chan_->close_rx();
    }

    /// True once `close()` was called or every sender is gone (always, when empty).
    bool is_closed() const {
        return chan_ == nullptr || chan_->is_rx_closed_by_receiver() || chan_->sender_count() == 0;
    }

protected:
    RxHandle() noexcept = default;
    explicit RxHandle(Chan<T, Sem>* chan) : chan_(chan) {}

    void reset() {
        if (Chan<T, Sem>* c = std::exchange(chan_, nullptr)) c->drop_rx();
    }

    Chan<T, Sem>* chan_ = nullptr;
};

/// The future of `closed()` on any sender: Ready once the receiver closed or
/// is gone (at once for an empty sender). Borrows the sender; destroying it
/// mid-way leaves the queue.
template <class T, class Sem>
class Closed : public FutureExt<Closed<T, Sem>> {
public:
    using Output = void;
    explicit Closed(Chan<T, Sem>* chan) : chan_(chan) {}
    Closed(Closed&& other) noexcept : chan_(other.chan_), pin_(std::move(other.pin_)) {}
    Closed& operator=(Closed&&) = delete;
    ~Closed() {
        if (polled_) chan_->cancel_closed(node_);
    }

    Poll<void> poll(Context& cx) {
        pin_.on_poll(this);
        if (chan_ == nullptr) return ready();
        if (!coop::poll_proceed(cx)) return pending;
        polled_ = true;
        if (chan_->poll_closed(node_, cx.waker())) return ready();
        coop::refund();
        return pending;
    }

private:
    Chan<T, Sem>* chan_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
    pollen::detail::Waiter node_;
    bool polled_ = false;
};

}  // namespace pollen::mpsc::detail
