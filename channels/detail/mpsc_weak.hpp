#pragma once
/// detail::WeakOf<Strong, ChanT>: the one implementation behind
/// mpsc::WeakSender<T> and WeakUnboundedSender<T> (Tokio's): a sender that
/// does not keep the channel open. `tx.downgrade()` makes one; `upgrade()`
/// gives a Sender (std::optional) while at least one Sender is still alive,
/// nullopt once the last one is gone, after which the receiver has seen the
/// end of the stream and the channel stays closed for good. A weak sender
/// keeps the channel's memory, not its senders' count: holding one does not
/// stop `recv()` from returning nullopt.
///
/// Copyable; distinct objects are safe to use from different threads, a
/// shared one is not. An empty (default or moved-from) one upgrades to nothing.

#include <optional>
#include <utility>

namespace pollen::mpsc {

namespace detail {
/// `Strong` is the sender type it upgrades to; each befriends the other.
template <class Strong, class ChanT>
class WeakOf {
public:
    WeakOf() noexcept = default;
    WeakOf(const WeakOf& other) noexcept : chan_(other.chan_) {
        if (chan_) chan_->add_ref();
    }
    WeakOf(WeakOf&& other) noexcept : chan_(std::exchange(other.chan_, nullptr)) {}
    WeakOf& operator=(WeakOf other) noexcept {
        std::swap(chan_, other.chan_);
        return *this;
    }
    ~WeakOf() {
        if (chan_) chan_->release_ref();
    }

    /// A Sender if the channel still has one (so it is still open to senders).
    std::optional<Strong> upgrade() const {
        if (!chan_ || !chan_->try_add_sender()) return std::nullopt;
        return Strong(chan_);
    }
    /// True when both refer to the same channel (never for an empty one).
    bool same_channel(const WeakOf& other) const { return chan_ != nullptr && chan_ == other.chan_; }

private:
    friend Strong;
    explicit WeakOf(ChanT* chan) : chan_(chan) {
        if (chan_) chan_->add_ref();
    }
    ChanT* chan_ = nullptr;
};
}  // namespace detail

}  // namespace pollen::mpsc
