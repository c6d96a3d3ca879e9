#pragma once
/// BufferedCore<St, Set, Push>: the whole of stream::Buffered and
/// stream::BufferUnordered, which differ only in the set of in-flight
/// futures: a FuturesOrdered (outputs in the order the futures came) or a
/// FuturesUnordered (in completion order); `Push` is the set's way in.
/// poll_next takes futures from the stream while the set holds fewer than
/// `n` (len(), so outputs held back for their turn count), then yields what
/// the set yields. The inner stream is destroyed as soon as it ends; the
/// core ends once it has and the set is empty. It wakes when the inner
/// stream or any future in the set does. Destroying it mid-way destroys the
/// inner stream, then the set. Distinct objects: safe; shared objects: unsafe.

#include <cstddef>
#include <optional>
#include <utility>

#include "../stream.hpp"

namespace pollen::detail {

template <class St, class Set, void (Set::*Push)(item_t<St>)>
class BufferedCore {
public:
    using Item = unit_if_void_t<output_t<item_t<St>>>;

    BufferedCore(St stream, std::size_t n) : stream_(std::in_place, std::move(stream)), max_(n) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        while (stream_ && in_flight_.len() < max_) {
            auto p = stream_->poll_next(cx);
            if (p.is_pending()) break;
            auto fut = p.take();
            if (!fut) {
                stream_.reset();
                break;
            }
            (in_flight_.*Push)(std::move(*fut));
        }
        auto p = in_flight_.poll_next(cx);
        if (p.is_ready() && p.value()) return p;
        if (!stream_ && in_flight_.is_empty()) return ready_none<Item>();
        return pollen::pending;
    }

    /// The inner stream's bounds plus what is in flight (see size_hint.hpp).
    stream::SizeHint size_hint() const {
        auto inner = stream_ ? pollen::stream::size_hint(*stream_) : hint_ended();
        return hint_plus(inner, in_flight_.len());
    }

private:
    // Declared first so that it is destroyed last, after the inner stream.
    Set in_flight_;
    std::optional<St> stream_;
    std::size_t max_;
    [[no_unique_address]] PinCheck pin_;
};

}  // namespace pollen::detail
