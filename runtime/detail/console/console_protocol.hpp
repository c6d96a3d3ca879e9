#pragma once
/// The console's protocol, version 1 (docs/console.md): what the runtime
/// answers to each request line of a console client. Every answer is one
/// line of JSON carrying "v":1.
///
///     snapshot  → {"v":1,"type":"snapshot", pid, program, flavor, runtime
///                  (RuntimeMetrics), tasks (TaskSnapshot each), warnings}
///     dump      → {"v":1,"type":"dump","text": Runtime::dump()}
///     other     → {"v":1,"error":"..."}
///
/// The warnings are the console's diagnoses: lost wakers counted by the
/// runtime, a poll running longer than a threshold (a task that never
/// yields, or a blocking call inside a task), a task that wakes itself on
/// most of its polls (a busy loop), and a task idle for long with no live
/// waker (nothing can wake it). They are computed here, so every client
/// (the interactive view, --json scripts) reads the same ones.
///
/// Threads: any; called on the console server's thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "../../metrics.hpp"
#include "../../task_snapshot.hpp"

namespace pollen::detail {

struct ConsoleThresholds {
    /// A poll still running after this is reported.
    std::chrono::nanoseconds long_poll{std::chrono::milliseconds(10)};
    /// An idle task with no waker alive for this long is reported.
    std::chrono::nanoseconds no_waker_idle{std::chrono::seconds(1)};
    /// Self-wakes on more than half of at least this many polls are reported.
    std::uint64_t self_wake_min_polls = 10;
};

/// Where a reply's figures come from (the runtime, or a test's fakes).
struct ConsoleSources {
    std::function<RuntimeMetrics()> metrics;
    std::function<std::vector<TaskSnapshot>()> tasks;
    std::function<std::string()> dump;
    std::string flavor;
    ConsoleThresholds thresholds;
};

struct ConsoleWarning {
    std::string kind;      ///< lost_waker, long_poll, self_wakes, no_waker
    std::uint64_t task = 0;  ///< 0 for the runtime as a whole
    std::string message;
};

/// The diagnoses of one snapshot, taken at `now`.
std::vector<ConsoleWarning> console_warnings(const RuntimeMetrics& m, const std::vector<TaskSnapshot>& tasks,
                                             std::chrono::steady_clock::time_point now, const ConsoleThresholds& t);

/// The answer (without its newline) to one request line.
std::string console_reply(std::string_view request, const ConsoleSources& src);

}  // namespace pollen::detail
