#pragma once
/// stream::Enumerate<St>: futures-rs's `StreamExt::enumerate`. Items come out
/// as `std::pair(index, item)`, the index counting from 0. It wakes whenever
/// the inner stream does; destroying it mid-way destroys the inner stream.

#include <cstddef>
#include <optional>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class Enumerate : public StreamExt<Enumerate<St>> {
public:
    using Item = std::pair<std::size_t, item_t<St>>;

    explicit Enumerate(St stream) : stream_(std::move(stream)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        auto p = stream_.poll_next(cx);
        if (p.is_pending()) return pollen::pending;
        auto item = p.take();
        if (!item) return detail::ready_none<Item>();
        return detail::ready_some<Item>(Item(count_++, std::move(*item)));
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const { return pollen::stream::size_hint(stream_); }

private:
    St stream_;
    std::size_t count_ = 0;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.enumerate()`.
template <Stream St>
auto enumerate(St stream) {
    return Enumerate<St>(std::move(stream));
}

}  // namespace pollen::stream
