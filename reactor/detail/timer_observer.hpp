#pragma once
/// TimerObserver: what the reactor tells of its timer firings to whoever
/// records a timeline (the runtime's trace, runtime/detail/trace/); the
/// reactor itself knows nothing of traces. Called on the thread that fires
/// the timers, around the wakes of one batch, only when a batch is not empty.

#include <cstddef>
#include <cstdint>

namespace pollen::detail {

class TimerObserver {
public:
    virtual ~TimerObserver() = default;
    /// Before the wakes of a batch: a timestamp on the observer's own clock,
    /// handed back to timers_fired (the reactor only carries it).
    virtual std::int64_t timers_firing() = 0;
    /// `count` timers fired since `began` (timers_firing's), their wakes included.
    virtual void timers_fired(std::size_t count, std::int64_t began) = 0;
};

}  // namespace pollen::detail
