#pragma once
/// Either<L, R>: one of two values, Rust's `futures::future::Either` used as a
/// value: what `select` returns (which side won, with its payload). Build one
/// with `Either<L, R>::from_left(l)` / `from_right(r)`; read it with
/// `is_left()` / `is_right()` and `left()` / `right()` (asserted to match).
/// L and R may be the same type.

#include <cassert>
#include <utility>
#include <variant>

namespace pollen {

template <class L, class R>
class Either {
public:
    using left_type = L;
    using right_type = R;

    template <class... A>
    explicit Either(std::in_place_index_t<0> tag, A&&... a) : v_(tag, std::forward<A>(a)...) {}
    template <class... A>
    explicit Either(std::in_place_index_t<1> tag, A&&... a) : v_(tag, std::forward<A>(a)...) {}

    static Either from_left(L value) { return Either(std::in_place_index<0>, std::move(value)); }
    static Either from_right(R value) { return Either(std::in_place_index<1>, std::move(value)); }

    bool is_left() const { return v_.index() == 0; }
    bool is_right() const { return v_.index() == 1; }

    L& left() & { assert(is_left()); return std::get<0>(v_); }
    const L& left() const& { assert(is_left()); return std::get<0>(v_); }
    L&& left() && { assert(is_left()); return std::get<0>(std::move(v_)); }

    R& right() & { assert(is_right()); return std::get<1>(v_); }
    const R& right() const& { assert(is_right()); return std::get<1>(v_); }
    R&& right() && { assert(is_right()); return std::get<1>(std::move(v_)); }

    bool operator==(const Either&) const = default;

private:
    std::variant<L, R> v_;
};

}  // namespace pollen
