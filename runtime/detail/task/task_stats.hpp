#pragma once
/// TaskStats: what a task records about its polls when the runtime keeps
/// task statistics (Builder::task_stats), in a block of its own beside the
/// cell; and TaskDiagnostics, the one header word that holds either the
/// task's spawn location (statistics off: no block, no cost) or that block,
/// which holds the location in turn.
///
/// Threads: the counters are written by the thread polling the task and
/// read by any (Runtime::dump), all relaxed: they are reports, not
/// synchronisation. The word itself is set at spawn and never changes.

#include <atomic>
#include <bit>
#include <cstdint>
#include <source_location>

namespace pollen::detail {

struct TaskStats {
    explicit TaskStats(std::source_location loc) : location(loc) {}
    std::source_location location;
    // 32 bits each: the poll count wraps after 4 billion polls, the coarse
    // clock's milliseconds every 49 days, and dumps read both modulo 2^32.
    std::atomic<std::uint32_t> polls{0};
    std::atomic<std::uint32_t> last_poll_ms{0};
};

class TaskDiagnostics {
    // A source_location is one pointer to static, pointer-aligned data, so
    // the low bit is free to say "this is a TaskStats block".
    static_assert(sizeof(std::source_location) == sizeof(std::uintptr_t));
    static constexpr std::uintptr_t kStatsTag = 1;

public:
    explicit TaskDiagnostics(std::source_location loc) : bits_(std::bit_cast<std::uintptr_t>(loc)) {}
    /// Takes ownership of `stats` (freed by free_stats).
    explicit TaskDiagnostics(TaskStats* stats) : bits_(reinterpret_cast<std::uintptr_t>(stats) | kStatsTag) {}

    /// The statistics block, or null when the runtime keeps none.
    TaskStats* stats() const {
        return bits_ & kStatsTag ? reinterpret_cast<TaskStats*>(bits_ & ~kStatsTag) : nullptr;
    }
    std::source_location location() const {
        if (TaskStats* s = stats()) return s->location;
        return std::bit_cast<std::source_location>(bits_);
    }
    void free_stats() { delete stats(); }

private:
    std::uintptr_t bits_;
};

}  // namespace pollen::detail
