#pragma once
/// mpsc::unbounded_channel<T>(): Tokio's `mpsc::unbounded_channel`, a
/// multi-producer, single-consumer queue without a capacity limit.
///
///     auto [tx, rx] = pollen::mpsc::unbounded_channel<int>();
///     tx.send(1);        // Result<void, SendError<int>>, immediate, never waits
///     rx.recv()          // future: std::optional<int>
///
/// `send` is a plain call, usable from any thread, async or not: it appends
/// to the lock-free block queue and wakes the receiver from the calling
/// thread. It fails, handing the value back, once the receiver closed or is
/// gone. UnboundedSender is copyable; the receiver sees the end once the last
/// one is gone and everything was received. Nothing limits memory: a
/// receiver that falls behind lets the queue grow.
///
/// A default-constructed UnboundedSender is empty (as is a moved-from one);
/// `tx = {}` or `pollen::drop(std::move(tx))` drops a sender early, which for
/// the last one ends the receiver's stream (Rust's `drop(tx)`). An empty
/// sender answers as a sender of a closed channel: `send` fails with the
/// value back, `closed()` is ready at once, `is_closed()` is true, and it is
/// the `same_channel` as nothing.

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../core/result.hpp"
#include "detail/mpsc_chan.hpp"
#include "detail/mpsc_rx.hpp"
#include "detail/mpsc_weak.hpp"
#include "mpsc_error.hpp"
#include "mpsc_receiver.hpp"

namespace pollen::mpsc {

/// The future of `UnboundedSender::closed()`.
template <class T>
using UnboundedClosed = detail::Closed<T, detail::UnboundedSemaphore>;

template <class T>
class UnboundedSender;
/// A UnboundedSender that does not keep the channel open (`tx.downgrade()`;
/// `upgrade()` → std::optional<UnboundedSender<T>>): see detail/mpsc_weak.hpp.
template <class T>
using WeakUnboundedSender = detail::WeakOf<UnboundedSender<T>, detail::Chan<T, detail::UnboundedSemaphore>>;

template <class T>
class UnboundedSender {
    using ChanT = detail::Chan<T, detail::UnboundedSemaphore>;

public:
    /// An empty sender, attached to no channel.
    UnboundedSender() noexcept = default;
    UnboundedSender(const UnboundedSender& other) : chan_(other.chan_) {
        if (chan_) chan_->add_sender();
    }
    UnboundedSender(UnboundedSender&& other) noexcept : chan_(std::exchange(other.chan_, nullptr)) {}
    UnboundedSender& operator=(const UnboundedSender& other) {
        if (this != &other) *this = UnboundedSender(other);
        return *this;
    }
    UnboundedSender& operator=(UnboundedSender&& other) noexcept {
        if (this != &other) {
            reset();
            chan_ = std::exchange(other.chan_, nullptr);
        }
        return *this;
    }
    ~UnboundedSender() { reset(); }

    /// Appends `value`; Err with the value back once the receiver closed or is gone.
    template <class U = T>
        requires std::is_constructible_v<T, U&&>
    Result<void, SendError<T>> send(U&& value) const {
        if (chan_ == nullptr || !chan_->sem().try_add_message())
            return Err(SendError<T>{T(std::forward<U>(value))});
        chan_->push(std::forward<U>(value));
        return Ok();
    }

    /// A future Ready once the receiver closed or is gone.
    UnboundedClosed<T> closed() const { return UnboundedClosed<T>(chan_); }
    /// True once the receiver closed or is gone (sends would fail).
    bool is_closed() const { return chan_ == nullptr || chan_->sem().is_closed(); }
    /// True when both send into the same channel (never for an empty sender).
    bool same_channel(const UnboundedSender& other) const { return chan_ != nullptr && chan_ == other.chan_; }

    /// A weak sender of the same channel (empty for an empty UnboundedSender).
    WeakUnboundedSender<T> downgrade() const { return WeakUnboundedSender<T>(chan_); }

private:
    friend WeakUnboundedSender<T>;
    template <class U>
    friend std::pair<UnboundedSender<U>, UnboundedReceiver<U>> unbounded_channel();
    explicit UnboundedSender(ChanT* chan) : chan_(chan) {}

    void reset() {
        if (ChanT* c = std::exchange(chan_, nullptr)) c->drop_sender();
    }

    ChanT* chan_ = nullptr;
};

/// An unbounded channel.
template <class T>
std::pair<UnboundedSender<T>, UnboundedReceiver<T>> unbounded_channel() {
    static_assert(!std::is_void_v<T>, "pollen::mpsc: use Unit for a value-less channel");
    auto* chan = new detail::Chan<T, detail::UnboundedSemaphore>();
    return {UnboundedSender<T>(chan), UnboundedReceiver<T>(chan)};
}

}  // namespace pollen::mpsc
