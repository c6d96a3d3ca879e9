#pragma once
/// stream::ForEachConcurrent<St, Fn>: futures-rs's
/// `StreamExt::for_each_concurrent`, a future. For every item it starts the
/// future `fn(item)` returns, keeping at most `limit` of them running at
/// once (0: no limit) in a FuturesUnordered, so only woken ones are polled.
/// Ready (void) once the stream has ended and every future has completed.
/// The stream is destroyed as soon as it ends, each future as soon as it
/// completes. It wakes when the stream or any running future does;
/// destroying it mid-way destroys the stream, then every running future.

#include <cstddef>
#include <optional>
#include <utility>

#include "../future_ext.hpp"
#include "detail/as_future.hpp"
#include "futures_unordered.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class Fn>
class ForEachConcurrent : public FutureExt<ForEachConcurrent<St, Fn>> {
    using Fut = detail::call_future_t<Fn, item_t<St>>;

public:
    using Output = void;

    ForEachConcurrent(St stream, std::size_t limit, Fn fn)
        : fn_(std::move(fn)), stream_(std::in_place, std::move(stream)), limit_(limit) {}

    Poll<void> poll(Context& cx) {
        pin_.on_poll(this);
        for (;;) {
            bool progress = false;
            if (stream_ && (limit_ == 0 || running_.len() < limit_)) {
                auto p = stream_->poll_next(cx);
                if (p.is_ready()) {
                    auto item = p.take();
                    if (item) {
                        running_.push(detail::call_as_future(fn_, std::move(*item)));
                        progress = true;
                    } else {
                        stream_.reset();
                    }
                }
            }
            auto p = running_.poll_next(cx);
            if (p.is_ready()) {
                if (p.value()) progress = true;
                else if (!stream_) return ready();
            }
            if (!progress) return pollen::pending;
        }
    }

private:
    Fn fn_;
    FuturesUnordered<Fut> running_;
    std::optional<St> stream_;
    std::size_t limit_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.for_each_concurrent(limit, fn)`.
template <Stream St, class Fn>
auto for_each_concurrent(St stream, std::size_t limit, Fn fn) {
    return ForEachConcurrent<St, Fn>(std::move(stream), limit, std::move(fn));
}

}  // namespace pollen::stream
