#pragma once
/// StatsPoll: what one poll of a task with statistics records (task_stats.hpp):
/// the poll's start and end on the statistics' clock, its count, busy and
/// scheduled time, its bucket in the task's poll-time histogram and in the
/// runtime's two histograms (runtime_stats.hpp), the finished task's
/// figures, its slice in the timeline (Builder::trace), and the slow-poll
/// and lost-waker warnings of PollDiagnostics, which a task without
/// statistics takes instead. The harness (task.cpp) runs such a poll in a
/// function of its own, so that the poll without statistics stays as it was.
///
/// The cost per poll is what the figures need and no more: one clock read
/// for a worker's back-to-back polls (the end of the last one is this one's
/// start, poll_clock.hpp), each histogram bucket computed once, plain stores
/// of single-writer figures, no locked instruction but a finished task's.
///
/// Threads: one object per poll, on the polling thread, which holds the
/// task's RUNNING right: the one writer of the poll figures.

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "../scheduler.hpp"
#include "../trace/trace_recorder.hpp"
#include "poll_clock.hpp"
#include "poll_diagnostics.hpp"
#include "runtime_stats.hpp"
#include "task.hpp"
#include "task_stats.hpp"

namespace pollen::detail {

class StatsPoll {
public:
    /// `t` carries statistics.
    StatsPoll(Header* t, PollClock* clock) : task_(t), clock_(clock) {}

    /// The Waker the poll borrows: the one that counts into the block.
    static const RawWakerVTable* waker_vtable() { return &stats_task_waker_vtable; }

    /// Before the poll: stamps its start and counts it.
    [[gnu::always_inline]] void before_poll() {
        TaskStats& s = task_->diagnostics.known_stats();
        std::int64_t since = s.runnable_since_ns.load(std::memory_order_relaxed);
        // Back to back with a poll of this worker: that poll's end is this
        // one's start (no clock read), unless the task became runnable later.
        std::int64_t last_end = clock_ ? clock_->last_stats_poll_end_ns : 0;
        std::int64_t start = last_end != 0 ? last_end : stats_now_ns();
        // Also clamps a wake stamped from another core's counter, a little ahead.
        start = std::max(start, since);
        std::int64_t scheduled = start - since;
        std::uint64_t polls = s.polls.load(std::memory_order_relaxed);
        if (polls == 0) [[unlikely]] {
            // The first poll sets what the spawn left out (task_stats.hpp),
            // then publishes it with the count, before the future can make a waker.
            s.start_figures();
            s.poll.first_poll_ns = start;
            s.poll.last_poll_started_ns = start;
            s.poll.scheduled_ns = scheduled;
            s.polls.store(1, std::memory_order_release);
        } else {
            s.polls.store(polls + 1, std::memory_order_relaxed);
            TaskStats::set(s.poll.last_poll_started_ns, start);
            TaskStats::set(s.poll.scheduled_ns, s.poll.scheduled_ns + scheduled);
        }
        if (task_->scheduler->trace) [[unlikely]]
            flow_in_ = s.trace_flow.exchange(0, std::memory_order_relaxed);
    }

    /// After the poll, before the state changes (a task left Pending is
    /// still ours to inspect).
    [[gnu::always_inline]] void after_poll(bool done) {
        // What before_poll() worked out is read back from the block rather than
        // kept across the poll: the future's poll leaves the registers to it.
        // The runnable stamp is as before_poll() read it: a wake while the task
        // is RUNNING does not submit it, so does not stamp it.
        TaskStats& s = task_->diagnostics.known_stats();
        Scheduler& sched = *task_->scheduler;
        std::int64_t ended = stats_now_ns();
        std::int64_t start = s.poll.last_poll_started_ns;
        std::int64_t took = std::max<std::int64_t>(0, ended - start);
        std::size_t bucket = DurationHistogram::bucket_of(took);
        TaskStats::set(s.poll.busy_ns, s.poll.busy_ns + took);
        TaskStats::set(s.poll.poll_times[bucket], s.poll.poll_times[bucket] + 1);
        TaskStats::set(s.poll.last_poll_ended_ns, ended);
        std::int64_t scheduled = start - s.runnable_since_ns.load(std::memory_order_relaxed);
        // Woken during this poll, the task is runnable again from now on (the
        // runner re-queues it); otherwise the wake that submits it overwrites this.
        s.runnable_since_ns.store(ended, std::memory_order_relaxed);
        RuntimeStats* rs = sched.runtime_stats.get();
        if (rs) {
            // Only there: on a runtime without statistics a task without
            // any (no figures, no clock read) may poll before the next one.
            if (clock_) clock_->last_stats_poll_end_ns = ended;
            rs->record_poll(bucket, DurationHistogram::bucket_of(scheduled));
        }
        if (done) {
            TaskStats::set(s.poll.done_ns, ended);
            // Among the finished tasks from now on (complete() does not look
            // at statistics, so that tasks without any pay nothing there).
            if (rs) rs->retire(s);
        } else if (sched.detect_lost_wakers) [[unlikely]] {
            // The waker counts clones and drops: clones - drops are alive.
            // Drops are read first: each one counted follows its clone, so a
            // clone or drop meanwhile can only make the difference look
            // larger, never zero when it is not.
            // (wakes_by_val stays 0 where lost wakers are detected: task.cpp.)
            std::uint64_t drops = std::atomic_ref(s.wake.waker_drops).load(std::memory_order_seq_cst);
            if (std::atomic_ref(s.wake.waker_clones).load(std::memory_order_seq_cst) == drops)
                PollDiagnostics::check_lost_waker(task_);
        }
        if (TraceRecorder* trace = sched.trace.get()) [[unlikely]]
            trace->poll(s, sched.trace_category, start, ended, flow_in_);
        std::int64_t threshold = sched.slow_poll_ns;
        if (threshold > 0 && took > threshold) [[unlikely]] PollDiagnostics::report_slow_poll(task_, took);
    }

private:
    Header* task_;
    PollClock* clock_;
    std::uint64_t flow_in_ = 0;  // traced runtimes only
};

}  // namespace pollen::detail
