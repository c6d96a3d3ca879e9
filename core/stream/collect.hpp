#pragma once
/// stream::Collect<St, C>: futures-rs's `StreamExt::collect`, a future of
/// every item in a container (`std::vector<Item>` by default; any container
/// with `insert(end, item)`). Ready once the stream has ended, which is
/// when the stream is destroyed. It wakes whenever the stream does;
/// destroying it mid-way destroys the items gathered so far and the stream.

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "../future_ext.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class C>
class Collect : public FutureExt<Collect<St, C>> {
public:
    using Output = C;

    explicit Collect(St stream) : stream_(std::in_place, std::move(stream)) {}

    Poll<C> poll(Context& cx) {
        pin_.on_poll(this);
        assert(stream_ && "pollen: Collect polled after it completed");
        for (;;) {
            auto p = stream_->poll_next(cx);
            if (p.is_pending()) return pollen::pending;
            auto item = p.take();
            if (!item) {
                stream_.reset();
                return Ready<C>{std::move(items_)};
            }
            items_.insert(items_.end(), std::move(*item));
        }
    }

private:
    std::optional<St> stream_;
    C items_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.collect()`; `stream::collect<C>(s)` names the container.
template <class C = void, Stream St>
auto collect(St stream) {
    using Coll = std::conditional_t<std::is_void_v<C>, std::vector<item_t<St>>, C>;
    return Collect<St, Coll>(std::move(stream));
}

}  // namespace pollen::stream
