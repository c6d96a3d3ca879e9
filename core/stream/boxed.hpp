#pragma once
/// BoxStream<T>: a type-erased stream of T (futures-rs's `BoxStream`, a
/// `Pin<Box<dyn Stream<Item = T>>>`), made by `s.boxed()` or
/// `stream::boxed(s)`: one heap allocation holding the stream, whose
/// poll_next it forwards. Because the stream stays put in its box, a
/// BoxStream may be moved even after it was polled, which is what
/// containers of streams and `select`-like code need. Destroying it
/// destroys the boxed stream; a moved-from BoxStream holds nothing and must
/// not be polled.

#include <cassert>
#include <concepts>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::detail {
template <class T>
struct BoxedStreamBase {
    virtual ~BoxedStreamBase() = default;
    virtual Poll<std::optional<T>> poll_next(Context& cx) = 0;
    virtual stream::SizeHint size_hint() const = 0;
};

template <class T, class St>
struct BoxedStream final : BoxedStreamBase<T> {
    explicit BoxedStream(St s) : stream(std::move(s)) {}
    Poll<std::optional<T>> poll_next(Context& cx) override { return stream.poll_next(cx); }
    stream::SizeHint size_hint() const override { return pollen::stream::size_hint(stream); }
    St stream;
};
}  // namespace pollen::detail

namespace pollen::stream {

template <class T>
class BoxStream : public StreamExt<BoxStream<T>> {
public:
    using Item = T;

    template <Stream St>
        requires(!std::same_as<std::remove_cvref_t<St>, BoxStream> && std::same_as<item_t<St>, T>)
    explicit BoxStream(St stream)
        : box_(std::make_unique<detail::BoxedStream<T, St>>(std::move(stream))) {}

    BoxStream(BoxStream&&) noexcept = default;
    BoxStream& operator=(BoxStream&&) noexcept = default;

    Poll<std::optional<T>> poll_next(Context& cx) {
        assert(box_ && "pollen: polled a moved-from BoxStream");
        return box_->poll_next(cx);
    }

    /// The boxed stream's hint.
    SizeHint size_hint() const {
        assert(box_ && "pollen: size_hint of a moved-from BoxStream");
        return box_->size_hint();
    }

    /// False only for a moved-from BoxStream.
    explicit operator bool() const { return box_ != nullptr; }

private:
    // No PinCheck: the BoxStream itself may move; the boxed stream never does.
    std::unique_ptr<detail::BoxedStreamBase<T>> box_;
};

/// Free-function form of `s.boxed()`.
template <Stream St>
BoxStream<item_t<St>> boxed(St stream) {
    if constexpr (std::is_same_v<St, BoxStream<item_t<St>>>) return stream;
    else return BoxStream<item_t<St>>(std::move(stream));
}

}  // namespace pollen::stream

namespace pollen {
using stream::BoxStream;
}
