#pragma once
/// stream::Skip<St>: futures-rs's `StreamExt::skip`. Destroys the first `n`
/// items of the inner stream, then passes the rest on. It wakes whenever the
/// inner stream does; destroying it mid-way destroys the inner stream.

#include <cstddef>
#include <optional>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class Skip : public StreamExt<Skip<St>> {
public:
    using Item = item_t<St>;

    Skip(St stream, std::size_t n) : stream_(std::move(stream)), remaining_(n) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        while (remaining_ > 0) {
            auto p = stream_.poll_next(cx);
            if (p.is_pending()) return pollen::pending;
            if (!p.value()) return detail::ready_none<Item>();
            --remaining_;
        }
        return stream_.poll_next(cx);
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const {
        auto [lower, upper] = pollen::stream::size_hint(stream_);
        std::optional<std::size_t> rest;
        if (upper) rest = detail::hint_sub(*upper, remaining_);
        return {detail::hint_sub(lower, remaining_), rest};
    }

private:
    St stream_;
    std::size_t remaining_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.skip(n)`.
template <Stream St>
auto skip(St stream, std::size_t n) {
    return Skip<St>(std::move(stream), n);
}

}  // namespace pollen::stream
