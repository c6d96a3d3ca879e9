#pragma once
/// stream::Map<St, Fn>: futures-rs's `StreamExt::map`. Each poll_next polls
/// the inner stream once; an item `x` comes out as `fn(x)`, the end as the
/// end. It wakes whenever the inner stream does. Destroying it mid-way
/// destroys the inner stream.

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class Fn>
class Map : public StreamExt<Map<St, Fn>> {
public:
    using Item = std::invoke_result_t<Fn&, item_t<St>&&>;
    static_assert(!std::is_void_v<Item>, "pollen::stream::map: the closure must return a value");

    Map(St stream, Fn fn) : stream_(std::move(stream)), fn_(std::move(fn)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        auto p = stream_.poll_next(cx);
        if (p.is_pending()) return pollen::pending;
        auto item = p.take();
        if (!item) return detail::ready_none<Item>();
        return detail::ready_some<Item>(std::invoke(fn_, std::move(*item)));
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const { return pollen::stream::size_hint(stream_); }

private:
    St stream_;
    Fn fn_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.map(fn)`.
template <Stream St, class Fn>
auto map(St stream, Fn fn) {
    return Map<St, Fn>(std::move(stream), std::move(fn));
}

}  // namespace pollen::stream
