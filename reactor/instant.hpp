#pragma once
/// time::Instant: a point on the runtime's monotonic clock (Tokio's
/// `time::Instant`). Inside a runtime whose clock is paused it reads the
/// paused time; elsewhere it is std::chrono::steady_clock.

#include <chrono>

#include "clock.hpp"

namespace pollen::time {

class Instant {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    Instant() = default;
    explicit Instant(TimePoint tp) : tp_(tp) {}

    static Instant now();

    Duration duration_since(Instant earlier) const { return tp_ - earlier.tp_; }
    Duration elapsed() const { return now().tp_ - tp_; }
    TimePoint time_point() const { return tp_; }

    template <class Rep, class Period>
    Instant operator+(std::chrono::duration<Rep, Period> d) const {
        return Instant(tp_ + std::chrono::duration_cast<TimePoint::duration>(d));
    }
    template <class Rep, class Period>
    Instant operator-(std::chrono::duration<Rep, Period> d) const {
        return Instant(tp_ - std::chrono::duration_cast<TimePoint::duration>(d));
    }
    Duration operator-(Instant other) const { return tp_ - other.tp_; }
    auto operator<=>(const Instant&) const = default;

private:
    TimePoint tp_{};
};

}  // namespace pollen::time
