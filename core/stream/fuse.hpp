#pragma once
/// stream::Fuse<St>: futures-rs's `StreamExt::fuse`. Passes items on until
/// the inner stream ends, destroys the inner stream at that moment, and
/// from then on answers nullopt to every poll_next, with `is_terminated()`
/// true; so it may be polled again after its end (in a hand-written select
/// loop, for instance). It wakes whenever the inner stream does; destroying
/// it mid-way destroys the inner stream.

#include <optional>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class Fuse : public StreamExt<Fuse<St>> {
public:
    using Item = item_t<St>;

    explicit Fuse(St stream) : stream_(std::in_place, std::move(stream)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        if (!stream_) return detail::ready_none<Item>();
        auto p = stream_->poll_next(cx);
        if (p.is_ready() && !p.value()) stream_.reset();
        return p;
    }

    /// True once the inner stream has ended (Rust's `FusedStream::is_terminated`).
    bool is_terminated() const { return !stream_; }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const { return stream_ ? pollen::stream::size_hint(*stream_) : detail::hint_ended(); }

private:
    std::optional<St> stream_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.fuse()`.
template <Stream St>
auto fuse(St stream) {
    return Fuse<St>(std::move(stream));
}

}  // namespace pollen::stream
