#pragma once
/// stream::Inspect<St, Fn>: futures-rs's `StreamExt::inspect`. Each item is
/// shown to `fn(const item&)`, then passed on unchanged. It wakes whenever
/// the inner stream does; destroying it mid-way destroys the inner stream.

#include <functional>
#include <optional>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class Fn>
class Inspect : public StreamExt<Inspect<St, Fn>> {
public:
    using Item = item_t<St>;

    Inspect(St stream, Fn fn) : stream_(std::move(stream)), fn_(std::move(fn)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        auto p = stream_.poll_next(cx);
        if (p.is_ready() && p.value()) std::invoke(fn_, std::as_const(*p.value()));
        return p;
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const { return pollen::stream::size_hint(stream_); }

private:
    St stream_;
    Fn fn_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.inspect(fn)`.
template <Stream St, class Fn>
auto inspect(St stream, Fn fn) {
    return Inspect<St, Fn>(std::move(stream), std::move(fn));
}

}  // namespace pollen::stream
