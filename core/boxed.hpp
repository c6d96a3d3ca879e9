#pragma once
/// BoxFuture<T>: a type-erased future with output T (Rust's
/// `Pin<Box<dyn Future<Output = T>>>`), made by `fut.boxed()` or
/// `pollen::boxed(fut)`: one heap allocation holding the future. Its poll
/// polls the boxed future. Because the future stays put in its box, a
/// BoxFuture may be moved even after it was polled (Rust's `Unpin`), which is
/// what `select`, `select_all` and containers of futures need. Destroying it
/// destroys the boxed future; a moved-from BoxFuture holds nothing and must
/// not be polled.

#include <cassert>
#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

#include "future_ext.hpp"

namespace pollen {

namespace detail {
template <class T>
struct BoxedBase {
    virtual ~BoxedBase() = default;
    virtual Poll<T> poll(Context& cx) = 0;
    virtual void describe(TraceVisitor& v) const = 0;
};

template <class T, class Fut>
struct Boxed final : BoxedBase<T> {
    explicit Boxed(Fut f) : fut(std::move(f)) {}
    Poll<T> poll(Context& cx) override { return fut.poll(cx); }
    void describe(TraceVisitor& v) const override { v.child(fut); }
    Fut fut;
};
}  // namespace detail

template <class T>
class BoxFuture : public FutureExt<BoxFuture<T>> {
public:
    using Output = T;

    template <Future Fut>
        requires(!std::same_as<std::remove_cvref_t<Fut>, BoxFuture> && std::same_as<output_t<Fut>, T>)
    explicit BoxFuture(Fut fut)
        : box_(std::make_unique<detail::Boxed<T, Fut>>(std::move(fut))) {}

    BoxFuture(BoxFuture&&) noexcept = default;
    BoxFuture& operator=(BoxFuture&&) noexcept = default;

    Poll<T> poll(Context& cx) {
        assert(box_ && "pollen: polled a moved-from BoxFuture");
        return box_->poll(cx);
    }

    /// For task dumps (core/trace.hpp): the boxed future, by its own type.
    void describe(TraceVisitor& v) const {
        if (box_) box_->describe(v);
    }

    /// False only for a moved-from BoxFuture.
    explicit operator bool() const { return box_ != nullptr; }

private:
    // No PinCheck: the BoxFuture itself may move; the boxed future never does.
    std::unique_ptr<detail::BoxedBase<T>> box_;
};

/// Free-function form of `fut.boxed()`.
template <Future Fut>
BoxFuture<output_t<Fut>> boxed(Fut fut) {
    if constexpr (std::is_same_v<Fut, BoxFuture<output_t<Fut>>>) return fut;
    else return BoxFuture<output_t<Fut>>(std::move(fut));
}

}  // namespace pollen
