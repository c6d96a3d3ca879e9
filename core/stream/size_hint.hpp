#pragma once
/// stream::size_hint(s): futures-rs's `Stream::size_hint`, the bounds on the
/// number of items a stream has left: `{lower, upper}` with `upper` nullopt
/// when unknown (or past `SIZE_MAX`). The default, for a stream that says
/// nothing, is `{0, nullopt}`, which is always correct.
///
///     auto [lower, upper] = pollen::stream::size_hint(s);  // any Stream
///     auto [lower, upper] = s.size_hint();                 // a StreamExt stream
///
/// A stream gives its own hint with a member `SizeHint size_hint() const`;
/// every pollen adapter does, from the hint of the stream it wraps, with
/// futures-rs's rules (`map` passes it on, `filter` keeps only the upper
/// bound, `take(n)` caps it, `chain` adds, `zip` takes the minimum...).
/// Like Rust's, the hint is for optimisations (reserving room): a buggy
/// stream may break it, and code must not rely on it for safety. Asking
/// never polls anything and wakes no one; any thread that may use the stream
/// may ask.

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <utility>

namespace pollen::stream {

/// `(lower, upper)`: Rust's `(usize, Option<usize>)`.
using SizeHint = std::pair<std::size_t, std::optional<std::size_t>>;

/// A stream that gives its own hint.
template <class S>
concept HasSizeHint = requires(const S& s) {
    { s.size_hint() } -> std::same_as<SizeHint>;
};

/// The hint of any stream: its own, or `{0, nullopt}`.
template <class S>
SizeHint size_hint(const S& s) {
    if constexpr (HasSizeHint<S>) return s.size_hint();
    else return {0, std::nullopt};
}

}  // namespace pollen::stream

// In pollen::detail (not stream::detail, which would hide it in the adapters).
namespace pollen::detail {

using stream::SizeHint;

inline constexpr std::size_t kHintMax = std::numeric_limits<std::size_t>::max();

/// Saturating: the bounds of a lower bound.
inline std::size_t hint_add(std::size_t a, std::size_t b) { return a > kHintMax - b ? kHintMax : a + b; }
inline std::size_t hint_sub(std::size_t a, std::size_t b) { return a > b ? a - b : 0; }
/// a + b, or nullopt when either is unknown or the sum overflows.
inline std::optional<std::size_t> hint_checked_add(std::optional<std::size_t> a, std::optional<std::size_t> b) {
    if (!a || !b || *a > kHintMax - *b) return std::nullopt;
    return *a + *b;
}

/// The hint of a stream followed by `extra` held items (a pending item or
/// future of an adapter): both bounds grow by `extra`.
inline SizeHint hint_plus(SizeHint h, std::size_t extra) {
    return {hint_add(h.first, extra), hint_checked_add(h.second, extra)};
}
/// A filtering adapter's hint: nothing below, the inner upper bound (plus
/// `held` items it holds) above.
inline SizeHint hint_upper_only(SizeHint h, std::size_t held) { return {0, hint_checked_add(h.second, held)}; }
/// The hint of a stream that has ended.
inline SizeHint hint_ended() { return {0, std::size_t{0}}; }

}  // namespace pollen::detail
