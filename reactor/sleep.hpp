#pragma once
/// time::Sleep: a future that completes at a deadline (Tokio's `Sleep`),
/// made by `sleep(d)` or `sleep_until(instant)`. A duration too long for the
/// clock (`Duration::max()`) gives a far-future deadline, about 30 years.
///
/// Its first Pending poll enters the runtime's timer heap (lazily: a Sleep
/// that is never polled, or a `timeout` whose inner future is ready at once,
/// costs no timer); the reactor wakes it from the thread that drives timers.
/// Destroying it mid-way removes it from the heap (O(log n)). It must not be
/// moved after its first poll (the heap points into it); `Interval` boxes one.
/// Polled outside a runtime it throws std::logic_error.

#include <memory>
#include <string>

#include "../core/coop.hpp"
#include "../core/future_ext.hpp"
#include "instant.hpp"
#include "detail/timer_heap.hpp"

namespace pollen::detail {
class Reactor;
}

namespace pollen::time {

class Sleep : public FutureExt<Sleep> {
public:
    using Output = void;

    explicit Sleep(Instant deadline) { entry_.deadline = deadline.time_point(); }
    Sleep(Sleep&& other) noexcept : entry_(), reactor_(std::move(other.reactor_)), pin_(std::move(other.pin_)) {
        entry_.deadline = other.entry_.deadline;
    }
    Sleep& operator=(Sleep&&) = delete;
    Sleep(const Sleep&) = delete;
    ~Sleep();

    Poll<void> poll(Context& cx);

    Instant deadline() const { return Instant(entry_.deadline); }
    /// True once the deadline passed and the Sleep observed it.
    bool is_elapsed() const { return entry_.fired; }
    /// Moves the deadline; the Sleep can be polled again (Tokio's `reset`).
    void reset(Instant deadline);

    /// For task dumps (core/trace.hpp): "sleep until deadline in 1.500s".
    void describe(TraceVisitor& v) const;
    /// The deadline relative to the runtime's clock: "in 1.500s", "0.002s ago".
    std::string deadline_from_now() const;

private:
    detail::TimerEntry entry_;
    std::shared_ptr<detail::Reactor> reactor_;  // set on first poll
    [[no_unique_address]] detail::PinCheck pin_;
};

Sleep sleep_until(Instant deadline);
Sleep sleep(Duration d);

}  // namespace pollen::time
