// The warnings of PollDiagnostics and StatsPoll (cold, through spdlog).
#include "poll_diagnostics.hpp"

#include <spdlog/spdlog.h>

#include <string>

#include "../../../core/log.hpp"
#include "task_stats.hpp"

namespace pollen::detail {

namespace {
// "task 12" or, for a named task, "task 12 \"fetch\"": the name is what the
// person reading the warning gave it, so what they will search for.
std::string task_label(const Header* t) {
    const TaskStats* s = t->diagnostics.stats();
    if (s && !s->name().empty()) return fmt::format("task {} \"{}\"", t->id, s->name());
    return fmt::format("task {}", t->id);
}
}  // namespace

void PollDiagnostics::report_slow_poll(const Header* t, std::int64_t took_ns) {
    std::source_location loc = t->diagnostics.location();
    detail::log().warn(
        "{} spawned at {}:{} ({}) blocked its thread for {} ms in one poll; "
        "move blocking work to spawn_blocking",
        task_label(t), loc.file_name(), loc.line(), loc.function_name(), took_ns / 1'000'000);
}

void PollDiagnostics::report_lost_waker(Header* t) {
    std::source_location loc = t->diagnostics.location();
    detail::log().warn(
        "{} spawned at {}:{} ({}) returned Pending holding no clone of its waker and was not "
        "woken: nothing can ever wake it again (a lost waker). A future must store cx.waker() "
        "(or wake it) before it returns Pending",
        task_label(t), loc.file_name(), loc.line(), loc.function_name());
    // After the warning, so that whoever sees the count also finds the warning.
    t->scheduler->lost_wakers.fetch_add(1, std::memory_order_release);
}

}  // namespace pollen::detail
