#pragma once
/// stream::Fold<St, Acc, Fn>: futures-rs's `StreamExt::fold`, a future.
/// For each item, `acc = fn(acc, item)`, where `fn` answers the new
/// accumulator or a future of it (run to completion before the next item is
/// asked for). Ready with the final accumulator once the stream has ended;
/// the stream is destroyed at that moment. It wakes when the inner stream or
/// the pending step would. Destroying it mid-way destroys the pending step,
/// the accumulator, then the stream.

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>

#include "../future_ext.hpp"
#include "detail/as_future.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class Acc, class Fn>
class Fold : public FutureExt<Fold<St, Acc, Fn>> {
    using Step = detail::call_future_t<Fn, Acc, item_t<St>>;
    static_assert(std::is_convertible_v<output_t<Step>, Acc>,
                  "pollen::stream::fold: the closure must answer the accumulator or a future of it");

public:
    using Output = Acc;

    Fold(St stream, Acc init, Fn fn)
        : stream_(std::in_place, std::move(stream)), fn_(std::move(fn)), acc_(std::in_place, std::move(init)) {}

    Poll<Acc> poll(Context& cx) {
        pin_.on_poll(this);
        for (;;) {
            if (step_) {
                auto p = step_->poll(cx);
                if (p.is_pending()) return pollen::pending;
                Acc next = p.take();
                step_.reset();
                acc_.emplace(std::move(next));
            }
            assert(stream_ && "pollen: Fold polled after it completed");
            auto p = stream_->poll_next(cx);
            if (p.is_pending()) return pollen::pending;
            auto item = p.take();
            if (!item) {
                stream_.reset();
                Acc out = std::move(*acc_);
                acc_.reset();
                return Ready<Acc>{std::move(out)};
            }
            Acc acc = std::move(*acc_);
            acc_.reset();
            step_.emplace(detail::call_as_future(fn_, std::move(acc), std::move(*item)));
        }
    }

private:
    std::optional<St> stream_;
    Fn fn_;
    std::optional<Acc> acc_;
    std::optional<Step> step_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.fold(init, fn)`.
template <Stream St, class Acc, class Fn>
auto fold(St stream, Acc init, Fn fn) {
    return Fold<St, Acc, Fn>(std::move(stream), std::move(init), std::move(fn));
}

}  // namespace pollen::stream
