#pragma once
/// time::Instant: a point on the runtime's monotonic clock (Tokio's
/// `time::Instant`). Inside a runtime whose clock is paused it reads the
/// paused time; elsewhere it is std::chrono::steady_clock. A plain value:
/// any thread may use it.
///
/// Arithmetic saturates instead of overflowing: `now + Duration::max()` is
/// the latest representable instant, never a wrapped one in the past.
/// `checked_add` / `checked_sub` say when a result would not fit (Tokio's).
/// Unlike Tokio, a difference of instants is signed: `a - b` and
/// `a.duration_since(b)` are negative when `b` is later (Tokio returns zero);
/// they saturate at Duration::min()/max().

#include <chrono>
#include <optional>
#include <type_traits>

#include "detail/clock.hpp"

namespace pollen::detail {

/// Any chrono duration in nanoseconds, clamped to what nanoseconds can hold
/// (`hours::max()` would overflow in duration_cast). NaN counts as forever.
template <class Rep, class Period>
time::Duration saturating_nanos(std::chrono::duration<Rep, Period> d) {
    if constexpr (std::is_same_v<std::chrono::duration<Rep, Period>, time::Duration>) {
        return d;
    } else {
        // Compared in long double; the last 0.3% of the range (years 291.7 to
        // 292.3) saturates too, which keeps the comparison free of rounding doubts.
        long double ns = static_cast<long double>(d.count()) * Period::num / Period::den * 1e9L;
        constexpr long double kLimit = 9.2e18L;
        if (!(ns < kLimit)) return time::Duration::max();
        if (ns <= -kLimit) return time::Duration::min();
        return std::chrono::duration_cast<time::Duration>(d);
    }
}

}  // namespace pollen::detail

namespace pollen::time {

class Instant {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    Instant() = default;
    explicit Instant(TimePoint tp) : tp_(tp) {}

    static Instant now();

    Duration duration_since(Instant earlier) const { return detail::saturating_sub(tp_, earlier.tp_); }
    Duration elapsed() const { return now() - *this; }
    TimePoint time_point() const { return tp_; }

    /// `*this + d`, or nullopt where that is not representable.
    std::optional<Instant> checked_add(Duration d) const {
        std::int64_t r;
        if (__builtin_add_overflow(tp_.time_since_epoch().count(), d.count(), &r)) return std::nullopt;
        return Instant(TimePoint(Duration(r)));
    }
    /// `*this - d`, or nullopt where that is not representable.
    std::optional<Instant> checked_sub(Duration d) const {
        std::int64_t r;
        if (__builtin_sub_overflow(tp_.time_since_epoch().count(), d.count(), &r)) return std::nullopt;
        return Instant(TimePoint(Duration(r)));
    }

    template <class Rep, class Period>
    Instant operator+(std::chrono::duration<Rep, Period> d) const {
        return Instant(detail::saturating_add(tp_, detail::saturating_nanos(d)));
    }
    template <class Rep, class Period>
    Instant operator-(std::chrono::duration<Rep, Period> d) const {
        return Instant(detail::saturating_sub(tp_, detail::saturating_nanos(d)));
    }
    template <class Rep, class Period>
    Instant& operator+=(std::chrono::duration<Rep, Period> d) {
        return *this = *this + d;
    }
    template <class Rep, class Period>
    Instant& operator-=(std::chrono::duration<Rep, Period> d) {
        return *this = *this - d;
    }
    Duration operator-(Instant other) const { return detail::saturating_sub(tp_, other.tp_); }
    auto operator<=>(const Instant&) const = default;

private:
    TimePoint tp_{};
};

}  // namespace pollen::time

namespace pollen::detail {

/// Where a timer that should never fire is put: about 30 years after `from`
/// (Tokio's `Instant::far_future`). Not the end of time, so that a paused
/// clock that auto-advances to it can still compute later deadlines.
inline time::Instant far_future(time::Instant from) { return from + std::chrono::hours(24 * 365 * 30); }

/// `Instant::now() + d` for a timer's deadline: a sum that would overflow
/// becomes the far future (Tokio's `sleep`/`timeout` do the same).
inline time::Instant deadline_after(time::Duration d) {
    time::Instant now = time::Instant::now();
    if (auto t = now.checked_add(d)) return *t;
    return d.count() < 0 ? now + d : far_future(now);
}

}  // namespace pollen::detail
