// The out-of-line halves of PollDiagnostics: the statistics' (hot when
// kept) and the warnings (cold, through spdlog).
#include "poll_diagnostics.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "../../../core/log.hpp"

namespace pollen::detail {

void PollDiagnostics::stats_before_poll() {
    started_ = stats_now_ns();
    // Clamped: the wake that made it runnable may have read another core's counter.
    scheduled_ = std::max<std::int64_t>(0, started_ - stats_->runnable_since_ns.load(std::memory_order_relaxed));
    std::uint64_t polls = stats_->polls.load(std::memory_order_relaxed);
    stats_->polls.store(polls + 1, std::memory_order_relaxed);
    if (polls == 0) stats_->first_poll_ns.store(started_, std::memory_order_relaxed);
    stats_->last_poll_started_ns.store(started_, std::memory_order_relaxed);
    add_single_writer(stats_->scheduled_ns, scheduled_);
    trace_ = task_->scheduler->trace.get();
    if (trace_) [[unlikely]] flow_in_ = stats_->trace_flow.exchange(0, std::memory_order_relaxed);
}

void PollDiagnostics::stats_after_poll(bool done) {
    std::int64_t ended = stats_now_ns();
    std::int64_t took = std::max<std::int64_t>(0, ended - started_);
    add_single_writer(stats_->busy_ns, took);
    stats_->count_poll_time(took);
    stats_->last_poll_ended_ns.store(ended, std::memory_order_relaxed);
    // Woken during this poll, the task is runnable again from now on (the
    // runner re-queues it); otherwise the wake that submits it overwrites this.
    stats_->runnable_since_ns.store(ended, std::memory_order_relaxed);
    if (done) stats_->done_ns.store(ended, std::memory_order_relaxed);
    if (RuntimeStats* rs = task_->scheduler->runtime_stats.get()) {
        rs->record_poll(took, scheduled_);
        // Done: among the finished tasks from now on (complete() does not
        // look at statistics, so that tasks without any pay nothing there).
        if (done) rs->retire(*stats_);
    }
    if (trace_) [[unlikely]] trace_->poll(*stats_, task_->scheduler->trace_category, started_, ended, flow_in_);
    std::int64_t threshold = task_->scheduler->slow_poll_ns;
    if (threshold > 0 && took > threshold) [[unlikely]] report_slow_poll(task_, took);
}

void PollDiagnostics::report_slow_poll(const Header* t, std::int64_t took_ns) {
    std::source_location loc = t->diagnostics.location();
    detail::log().warn(
        "task {} spawned at {}:{} ({}) blocked its thread for {} ms in one poll; "
        "move blocking work to spawn_blocking",
        t->id, loc.file_name(), loc.line(), loc.function_name(), took_ns / 1'000'000);
}

void PollDiagnostics::report_lost_waker(Header* t) {
    std::source_location loc = t->diagnostics.location();
    detail::log().warn(
        "task {} spawned at {}:{} ({}) returned Pending holding no clone of its waker and was not "
        "woken: nothing can ever wake it again (a lost waker). A future must store cx.waker() "
        "(or wake it) before it returns Pending",
        t->id, loc.file_name(), loc.line(), loc.function_name());
    // After the warning, so that whoever sees the count also finds the warning.
    t->scheduler->lost_wakers.fetch_add(1, std::memory_order_release);
}

}  // namespace pollen::detail
