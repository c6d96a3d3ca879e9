#pragma once
/// stream::ForEach<St, Fn>: futures-rs's `StreamExt::for_each`, a future.
/// Calls `fn(item)` for every item in turn; when `fn` returns a future, that
/// future runs to completion before the next item is asked for. Ready (void)
/// once the stream has ended; the stream is destroyed at that moment. It
/// wakes when the inner stream or the running future would. Destroying it
/// mid-way destroys the running future, then the stream.

#include <cassert>
#include <optional>
#include <utility>

#include "../future_ext.hpp"
#include "detail/as_future.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class Fn>
class ForEach : public FutureExt<ForEach<St, Fn>> {
    using Step = detail::call_future_t<Fn, item_t<St>>;

public:
    using Output = void;

    ForEach(St stream, Fn fn) : stream_(std::in_place, std::move(stream)), fn_(std::move(fn)) {}

    Poll<void> poll(Context& cx) {
        pin_.on_poll(this);
        for (;;) {
            if (step_) {
                if (step_->poll(cx).is_pending()) return pollen::pending;
                step_.reset();
            }
            assert(stream_ && "pollen: ForEach polled after it completed");
            auto p = stream_->poll_next(cx);
            if (p.is_pending()) return pollen::pending;
            auto item = p.take();
            if (!item) {
                stream_.reset();
                return ready();
            }
            step_.emplace(detail::call_as_future(fn_, std::move(*item)));
        }
    }

private:
    std::optional<St> stream_;
    Fn fn_;
    std::optional<Step> step_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.for_each(fn)`.
template <Stream St, class Fn>
auto for_each(St stream, Fn fn) {
    return ForEach<St, Fn>(std::move(stream), std::move(fn));
}

}  // namespace pollen::stream
