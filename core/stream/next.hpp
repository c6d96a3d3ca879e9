#pragma once
/// stream::Next<St>: futures-rs's `StreamExt::next`, a future of the
/// stream's next item (`std::optional<Item>`, nullopt once the stream has
/// ended). It borrows the stream, which must outlive it; its poll is one
/// `poll_next` of the stream, so it wakes whenever the stream would.
/// Destroying it mid-way loses nothing: an item not yet produced stays in
/// the stream for the next call. It may be moved at any time (it only holds
/// a pointer), but the stream it borrows must not move once polled.

#include <optional>

#include "../future_ext.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class Next : public FutureExt<Next<St>> {
public:
    using Output = std::optional<item_t<St>>;

    explicit Next(St& stream) : stream_(&stream) {}

    Poll<Output> poll(Context& cx) { return stream_->poll_next(cx); }

    /// For task dumps (core/trace.hpp): the stream, by its type (and its own
    /// describe, where it has one).
    void describe(TraceVisitor& v) const { v.child(*stream_); }

private:
    St* stream_;
};

/// Free-function form of `s.next()`, for streams that do not derive StreamExt.
template <Stream St>
Next<St> next(St& stream) {
    return Next<St>(stream);
}

}  // namespace pollen::stream
