#pragma once
/// stream::Iter<R>: futures-rs's `stream::iter`, a range as a stream that is
/// always ready. `stream::iter(range)` keeps the range by value (a container
/// passed as an lvalue is copied, an rvalue moved in; pass a view such as
/// `std::views::all(v)` to borrow instead); `stream::iter({1, 2, 3})` works
/// too. Each poll_next yields the next element, moved out when the range
/// owns its elements (a container), copied otherwise (a view), and nullopt
/// at the end. It never wakes anyone (it is never Pending); it must not be
/// moved once polled (it holds an iterator into its range). Destroying it
/// destroys the range with the elements not yet taken.

#include <initializer_list>
#include <iterator>
#include <optional>
#include <ranges>
#include <type_traits>
#include <utility>
#include <vector>

#include "stream_ext.hpp"

namespace pollen::stream {

template <std::ranges::input_range R>
class Iter : public StreamExt<Iter<R>> {
public:
    using Item = std::ranges::range_value_t<R>;

    explicit Iter(R range) : range_(std::move(range)) {}

    Poll<std::optional<Item>> poll_next(Context&) {
        pin_.on_poll(this);
        if (!it_) it_.emplace(std::ranges::begin(range_));
        if (*it_ == std::ranges::end(range_)) return detail::ready_none<Item>();
        std::optional<Item> out = take_current();
        ++*it_;
        ++taken_;
        return Ready<std::optional<Item>>{std::move(out)};
    }

    /// Exact for a sized range (a container, most views); `{0, nullopt}` otherwise.
    SizeHint size_hint() const {
        if constexpr (std::ranges::sized_range<const R>) {
            const auto left = static_cast<std::size_t>(std::ranges::size(range_)) - taken_;
            return {left, left};
        } else {
            return {0, std::nullopt};
        }
    }

private:
    std::optional<Item> take_current() {
        // Only a range that owns its elements may give them away.
        constexpr bool owns = !std::ranges::view<R> &&
                              std::is_lvalue_reference_v<std::ranges::range_reference_t<R>> &&
                              !std::is_const_v<std::remove_reference_t<std::ranges::range_reference_t<R>>>;
        if constexpr (owns) return std::optional<Item>(std::in_place, std::move(**it_));
        else return std::optional<Item>(std::in_place, **it_);
    }

    R range_;
    std::optional<std::ranges::iterator_t<R>> it_;
    std::size_t taken_ = 0;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// A stream of the elements of `range`.
template <std::ranges::input_range R>
    requires std::movable<std::remove_cvref_t<R>>
auto iter(R&& range) {
    return Iter<std::remove_cvref_t<R>>(std::forward<R>(range));
}

/// A stream of the listed values: `stream::iter({1, 2, 3})`.
template <class T>
auto iter(std::initializer_list<T> values) {
    return Iter<std::vector<T>>(std::vector<T>(values));
}

}  // namespace pollen::stream
