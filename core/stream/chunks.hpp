#pragma once
/// stream::Chunks<St>: futures-rs's `StreamExt::chunks`. Items gathered
/// into `std::vector`s of `n`; when the inner stream ends, the items
/// gathered so far come out as a last, shorter vector. While the inner
/// stream is Pending the partial chunk is held (not emitted early). The
/// inner stream is destroyed as soon as it ends; destroying the adapter
/// mid-way destroys the partial chunk, then the inner stream. `n` must be
/// at least 1.

#include <cassert>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class Chunks : public StreamExt<Chunks<St>> {
public:
    using Item = std::vector<item_t<St>>;

    Chunks(St stream, std::size_t n) : stream_(std::in_place, std::move(stream)), cap_(n) {
        assert(n > 0 && "pollen::stream::chunks: n must be at least 1");
        items_.reserve(cap_);
    }

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        while (stream_) {
            auto p = stream_->poll_next(cx);
            if (p.is_pending()) return pollen::pending;
            auto item = p.take();
            if (!item) {
                stream_.reset();
                break;
            }
            items_.push_back(std::move(*item));
            if (items_.size() == cap_) return detail::ready_some<Item>(take_chunk());
        }
        if (items_.empty()) return detail::ready_none<Item>();
        return detail::ready_some<Item>(take_chunk());
    }

    /// Bounds on the items left (see size_hint.hpp).
    /// Exact in chunks when the inner hint is exact: every chunk is full but
    /// the last (futures-rs gives looser bounds).
    SizeHint size_hint() const {
        auto inner = stream_ ? pollen::stream::size_hint(*stream_) : detail::hint_ended();
        auto [lower, upper] = detail::hint_plus(inner, items_.size());
        auto chunks = [this](std::size_t items) { return items / cap_ + (items % cap_ != 0 ? 1 : 0); };
        std::optional<std::size_t> most;
        if (upper) most = chunks(*upper);
        return {chunks(lower), most};
    }

private:
    Item take_chunk() {
        Item out = std::move(items_);
        items_ = Item();
        if (stream_) items_.reserve(cap_);
        return out;
    }

    std::optional<St> stream_;
    std::size_t cap_;
    Item items_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.chunks(n)`.
template <Stream St>
auto chunks(St stream, std::size_t n) {
    return Chunks<St>(std::move(stream), n);
}

}  // namespace pollen::stream
