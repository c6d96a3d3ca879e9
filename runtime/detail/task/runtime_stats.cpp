// RuntimeStats, and the snapshots built from the tasks' statistics.
#include "runtime_stats.hpp"

#include <cpuid.h>

#include <algorithm>
#include <utility>
#include <unordered_set>

#include "../scheduler.hpp"

namespace pollen::detail {

namespace {

#if defined(__x86_64__)
/// CPUID's "invariant TSC": the counter ticks at one rate in every power
/// state and on every core.
bool invariant_tsc() {
    unsigned a, b, c, d;
    if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007) return false;
    __get_cpuid(0x80000007, &a, &b, &c, &d);
    return (d >> 8) & 1;
}

/// One (counter, monotonic ns) pair, read as close together as the best of a few tries.
std::pair<std::uint64_t, std::int64_t> paired_read() {
    std::uint64_t best_window = UINT64_MAX, tsc = 0;
    std::int64_t ns = 0;
    for (int i = 0; i < 7; ++i) {
        std::uint64_t t0 = __builtin_ia32_rdtsc();
        std::int64_t n = StatsClock::monotonic_ns();
        std::uint64_t t1 = __builtin_ia32_rdtsc();
        if (t1 - t0 < best_window) {
            best_window = t1 - t0;
            tsc = t0 + (t1 - t0) / 2;
            ns = n;
        }
    }
    return {tsc, ns};
}
#endif

}  // namespace

void StatsClock::calibrate() {
#if defined(__x86_64__)
    static const bool once = [] {
        if (!invariant_tsc()) return false;
        auto [tsc0, ns0] = paired_read();
        while (monotonic_ns() - ns0 < 5'000'000) {
        }
        auto [tsc1, ns1] = paired_read();
        if (tsc1 <= tsc0 || ns1 <= ns0) return false;
        std::uint64_t q32 = std::uint64_t(((unsigned __int128)(ns1 - ns0) << 32) / (tsc1 - tsc0));
        if (q32 == 0) return false;
        ns_per_tick_q32_ = q32;
        base_tsc_ = tsc1;
        base_ns_ = ns1;
        use_tsc_.store(true, std::memory_order_release);
        return true;
    }();
    (void)once;
#endif
}

namespace {
std::atomic<std::uint64_t> next_serial{1};
}  // namespace

RuntimeStats::RuntimeStats(std::size_t retain_done)
    : serial_(next_serial.fetch_add(1, std::memory_order_relaxed)), retain_done_(retain_done) {
    shards_.back().shared = true;
    StatsClock::calibrate();  // now rather than in a task's first poll
}

RuntimeStats::~RuntimeStats() = default;

RuntimeStats::Shard& RuntimeStats::claim_shard() {
    // A thread that polls for two runtimes in turn finds its own shard
    // again here rather than claiming a new one each time.
    std::thread::id me = std::this_thread::get_id();
    Shard* mine = nullptr;
    {
        std::lock_guard lock(claim_mu_);
        for (std::size_t i = 0; i < claimed_ && !mine; ++i)
            if (shards_[i].owner == me) mine = &shards_[i];
        if (!mine && claimed_ < kShards - 1) {
            mine = &shards_[claimed_++];
            mine->owner = me;
        }
        if (!mine) mine = &shards_.back();
    }
    tls_shard = {serial_, mine};
    return *mine;
}

namespace {
template <class Member>
DurationHistogram sum_shards(const auto& shards, Member member) {
    DurationHistogram h;
    for (const auto& s : shards)
        for (std::size_t i = 0; i < DurationHistogram::kBuckets; ++i)
            h.counts[i] += (s.*member)[i].load(std::memory_order_relaxed);
    return h;
}
}  // namespace

DurationHistogram RuntimeStats::poll_times() const { return sum_shards(shards_, &Shard::poll); }
DurationHistogram RuntimeStats::scheduled_delays() const { return sum_shards(shards_, &Shard::scheduled); }

namespace {

std::optional<TaskSnapshot::Instant> instant(std::int64_t ns) {
    if (ns == 0) return std::nullopt;
    return TaskSnapshot::Instant(std::chrono::nanoseconds(ns));
}

void fill_from_figures(TaskSnapshot& out, const TaskFigures& st, std::int64_t now) {
    const PollFigures& p = st.poll;
    out.id = st.id;
    out.spawned_at = st.location;
    out.has_stats = true;
    out.name = st.name;
    out.polls = st.polls;
    out.self_wakes = p.self_wakes;
    out.wakes = st.wake.wakes() + p.self_wakes;
    out.waker_clones = st.wake.waker_clones;
    out.waker_drops = st.wake.drops();
    std::int64_t done = p.done_ns;
    std::int64_t busy = p.busy_ns;
    std::int64_t started = p.last_poll_started_ns;
    std::int64_t ended = p.last_poll_ended_ns;
    std::int64_t end = done != 0 ? done : now;
    // A poll in progress is busy time already (tokio-console counts it too).
    if (done == 0 && started > ended) busy += std::max<std::int64_t>(0, now - started);
    std::int64_t total = std::max<std::int64_t>(0, end - st.created_ns);
    out.busy = std::chrono::nanoseconds(busy);
    out.scheduled = std::chrono::nanoseconds(p.scheduled_ns);
    out.total = std::chrono::nanoseconds(total);
    out.idle = std::chrono::nanoseconds(std::max<std::int64_t>(0, total - busy - p.scheduled_ns));
    out.created = TaskSnapshot::Instant(std::chrono::nanoseconds(st.created_ns));
    out.first_poll = instant(p.first_poll_ns);
    out.last_poll_started = instant(started);
    out.last_poll_ended = instant(ended);
    out.last_wake = instant(st.wake.last_wake_ns);
    out.done = instant(done);
    for (std::size_t i = 0; i < DurationHistogram::kBuckets; ++i) out.poll_times.counts[i] = p.poll_times[i];
}

}  // namespace

void RuntimeStats::retire(const TaskStats& st) {
    if (retain_done_ == 0) return;
    Shard& s = shard();
    std::lock_guard lock(s.done_mu);
    // done_next is the slot to write: the end while the ring fills, then
    // the oldest; counted round without a division.
    TaskFigures& slot = s.done_next < s.done.size() ? s.done[s.done_next] : s.done.emplace_back();
    if (++s.done_next == retain_done_) s.done_next = 0;
    st.copy_figures(slot, /*by_poller=*/true);  // in place: a name's string keeps its buffer
}

std::vector<TaskFigures> RuntimeStats::done_tasks() const {
    std::vector<TaskFigures> out;
    for (const Shard& s : shards_) {
        std::lock_guard lock(s.done_mu);
        std::size_t n = s.done.size();
        for (std::size_t i = 0; i < n; ++i) out.push_back(s.done[(s.done_next + i) % n]);
    }
    // Each shard's ring is in order; across shards, by when they finished.
    std::stable_sort(out.begin(), out.end(), [](const TaskFigures& a, const TaskFigures& b) {
        return std::pair(a.poll.done_ns, a.id) < std::pair(b.poll.done_ns, b.id);
    });
    if (out.size() > retain_done_) out.erase(out.begin(), out.end() - std::ptrdiff_t(retain_done_));
    return out;
}

std::vector<TaskSnapshot> task_snapshots(Scheduler& s) {
    std::int64_t now = stats_now_ns();
    std::vector<TaskSnapshot> out;
    std::unordered_set<std::uint64_t> seen;
    // Live tasks first: one that finishes meanwhile is then found again
    // among the finished ones, never missed between the two.
    s.owned().for_each([&](const Header& t) {
        Snapshot state = t.state.load(std::memory_order_relaxed);
        TaskSnapshot snap;
        snap.id = t.id;
        snap.spawned_at = t.diagnostics.location();
        snap.cancelling = state.is_cancelled() && !state.is_complete();
        snap.state = state.is_complete()  ? TaskState::Done
                     : state.is_running() ? TaskState::Running
                     : state.is_notified() ? TaskState::Scheduled
                                           : TaskState::Idle;
        if (const TaskStats* st = t.diagnostics.stats()) {
            TaskFigures figures;
            st->copy_figures(figures, /*by_poller=*/false);
            fill_from_figures(snap, figures, now);
        }
        seen.insert(snap.id);
        out.push_back(std::move(snap));
    });
    if (s.runtime_stats) {
        for (const TaskFigures& done : s.runtime_stats->done_tasks()) {
            if (seen.contains(done.id)) {
                // Finished while we looked: the finished figures win.
                auto it = std::find_if(out.begin(), out.end(), [&](const TaskSnapshot& x) { return x.id == done.id; });
                out.erase(it);
            }
            TaskSnapshot snap;
            snap.state = TaskState::Done;
            fill_from_figures(snap, done, now);
            out.push_back(std::move(snap));
        }
    }
    std::sort(out.begin(), out.end(), [](const TaskSnapshot& a, const TaskSnapshot& b) { return a.id < b.id; });
    return out;
}

}  // namespace pollen::detail
