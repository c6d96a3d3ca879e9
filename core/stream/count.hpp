#pragma once
/// stream::Count<St>: futures-rs's `StreamExt::count`, a future of the
/// number of items, each destroyed as it is counted. Ready once the stream
/// has ended (which is when the stream is destroyed); it wakes whenever the
/// stream does; destroying it mid-way destroys the stream.

#include <cassert>
#include <cstddef>
#include <optional>
#include <utility>

#include "../future_ext.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class Count : public FutureExt<Count<St>> {
public:
    using Output = std::size_t;

    explicit Count(St stream) : stream_(std::in_place, std::move(stream)) {}

    Poll<std::size_t> poll(Context& cx) {
        pin_.on_poll(this);
        assert(stream_ && "pollen: Count polled after it completed");
        for (;;) {
            auto p = stream_->poll_next(cx);
            if (p.is_pending()) return pollen::pending;
            if (!p.value()) {
                stream_.reset();
                return ready(count_);
            }
            ++count_;
        }
    }

private:
    std::optional<St> stream_;
    std::size_t count_ = 0;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.count()`.
template <Stream St>
auto count(St stream) {
    return Count<St>(std::move(stream));
}

}  // namespace pollen::stream
