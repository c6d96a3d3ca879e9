#include "simulation.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "../../../core/detail/thread_rng.hpp"
#include "../defer.hpp"

namespace pollen::detail {

namespace {

// Distinct streams from one seed: the scheduler's draws, the scenario's
// (sim::random_below) and select_on's, so that one never shifts another.
constexpr std::uint64_t kUserStream = 0x5EED0F05CE4A7105ull;
constexpr std::uint64_t kSelectStream = 0x5E1EC7B7A4C40DE5ull;

std::uint64_t nonzero(std::uint64_t x) { return x != 0 ? x : 1; }

std::string format_duration(std::chrono::nanoseconds d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9gs", std::chrono::duration<double>(d).count());
    return buf;
}

}  // namespace

SimulationScheduler::SimulationScheduler(std::shared_ptr<Driver> d, std::uint64_t seed,
                                         std::optional<std::chrono::nanoseconds> time_limit,
                                         std::optional<std::uint64_t> event_limit)
    : parker_(std::make_shared<Parker>()),  // never parked: drive_until_woken never sleeps
      owner_(std::this_thread::get_id()),
      time_limit_(time_limit),
      event_limit_(event_limit.value_or(UINT64_MAX)),
      seed_(seed),
      sched_rng_(seed),
      user_rng_(seed ^ kUserStream),
      select_rng_(nonzero(SimRng(seed ^ kSelectStream).next())) {
    driver = std::move(d);
}

SimulationScheduler::~SimulationScheduler() { shutdown(); }

void SimulationScheduler::schedule(Header* task) {
    if (std::this_thread::get_id() != owner_) [[unlikely]] {
        {
            std::lock_guard lock(foreign_mu_);
            if (!foreign_closed_) {
                foreign_.push_back(task);
                foreign_woken_.store(true, std::memory_order_release);
                return;
            }
        }
        drop_reference(task);
        return;
    }
    if (closed_) {
        drop_reference(task);  // shut down: nobody will run it
        return;
    }
    log_.add(kScheduled, task->id);
    runnable_.push_back(task);
}

void SimulationScheduler::enter_block_on() {
    if (std::this_thread::get_id() != owner_)
        throw std::logic_error(
            "pollen: a simulation runtime runs on the thread that built it; block_on was called from another");
    // select_on draws its branch order from core's thread_rng: while this
    // runtime drives, that generator is the run's.
    saved_thread_rng_ = std::exchange(thread_rng_state(), select_rng_);
}

void SimulationScheduler::exit_block_on() {
    select_rng_ = std::exchange(thread_rng_state(), saved_thread_rng_);
}

void SimulationScheduler::drive_until_woken(BlockOnSignal& signal) {
    for (;;) {
        if (foreign_woken_.load(std::memory_order_acquire)) [[unlikely]]
            throw sim::SimulationError(
                "pollen::sim: a task was woken from a thread other than the simulation's (a std::thread?): "
                "its timing is the OS's, not the seed's, so the run cannot replay\n" + replay_hint(),
                stats());
        if (log_.events() > event_limit_) [[unlikely]]
            throw sim::EventLimitExceeded("pollen::sim: event limit of " + std::to_string(event_limit_) +
                                              " reached at virtual time " + format_duration(stats().elapsed) +
                                              ". Live tasks:\n" + live_tasks() + replay_hint(),
                                          stats());
        bool root = signal.is_woken();
        std::size_t n = runnable_.size() + (root ? 1 : 0);
        // Yielders (yield_now) wait for the driver's turn, as in the other
        // flavours: when nothing else can run, or after a round of polls.
        // The list is in the order they yielded, which the schedule decided.
        Defer* defer = current_defer();
        if (defer && !defer->is_empty() && (n == 0 || polls_since_turn_ >= kPollsPerTurn)) {
            turn_then_wake_deferred(*defer);
            continue;
        }
        if (n == 0) {
            advance_or_stop();
            continue;
        }
        std::size_t pick = n == 1 ? 0 : std::size_t(sched_rng_.below(n));
        if (pick == runnable_.size()) {
            log_.add(kPolledRoot, 0);
            return;  // block_on polls its future
        }
        // Swap-remove: O(1), and as deterministic as any other order.
        Header* t = runnable_[pick];
        runnable_[pick] = runnable_.back();
        runnable_.pop_back();
        log_.add(kPolled, t->id);
        ++polls_;
        ++polls_since_turn_;
        sim::NodeId outer = current_node_;
        if (!node_of_.empty()) {
            auto it = node_of_.find(t);
            current_node_ = it == node_of_.end() ? 0 : it->second;
        } else {
            current_node_ = 0;
        }
        run_task(t);
        current_node_ = outer;
    }
}

void SimulationScheduler::turn_then_wake_deferred(Defer& defer) {
    polls_since_turn_ = 0;
    // The turn a real driver would take without waiting: the timers due at
    // this virtual instant fire; the clock does not move.
    driver->advance_clock(std::chrono::nanoseconds(0));
    defer.take_and_wake();
}

void SimulationScheduler::advance_or_stop() {
    polls_since_turn_ = 0;
    std::optional<std::chrono::nanoseconds> wait = driver->next_timer();
    if (!wait) {
        std::string msg = "pollen::sim: deadlock at virtual time " + format_duration(stats().elapsed) +
                          ": block_on's future is pending, no task can run and no timer is armed. Live tasks:\n" +
                          live_tasks() + replay_hint();
        throw sim::SimulationDeadlock(msg, stats());
    }
    if (time_limit_) {
        std::chrono::nanoseconds elapsed = stats().elapsed;
        if (*wait > *time_limit_ - elapsed) {
            std::string msg = "pollen::sim: time limit of " + format_duration(*time_limit_) +
                              " of virtual time reached at " + format_duration(elapsed) +
                              " (the next timer is due " + format_duration(*wait) + " later). Live tasks:\n" +
                              live_tasks() + replay_hint();
            throw sim::TimeLimitExceeded(msg, stats());
        }
    }
    log_.add(kClockJump, std::uint64_t(wait->count()));
    driver->advance_clock(*wait);
}

void SimulationScheduler::on_task_submitted(Header* task) {
    if (current_node_ != 0) node_of_.emplace(task, current_node_);
}

void SimulationScheduler::on_task_released(Header* task) {
    if (!node_of_.empty()) node_of_.erase(task);
}

std::size_t SimulationScheduler::kill_node(sim::NodeId n) {
    // Collected first: cancelling releases tasks, which edits node_of_.
    std::vector<Header*> doomed;
    for (const auto& [t, node] : node_of_)
        if (node == n) doomed.push_back(const_cast<Header*>(t));
    // By id (spawn order): the destructors that run here may wake tasks,
    // and the hash map's order is no part of the run.
    std::sort(doomed.begin(), doomed.end(), [](const Header* a, const Header* b) { return a->id < b->id; });
    for (Header* t : doomed) t->state.ref_inc();  // none is freed while another's destructor runs
    for (Header* t : doomed) {
        log_.add(kKilled, t->id);
        start_reap(t);  // one thread: never another runner to wait for
    }
    for (Header* t : doomed) drop_reference(t);
    return doomed.size();
}

std::string SimulationScheduler::live_tasks() {
    struct Line {
        std::uint64_t id;
        std::string text;
    };
    std::vector<Line> lines;
    owned_.for_each([&](const Header& t) {
        Snapshot s = t.state.load(std::memory_order_relaxed);
        const char* state = s.is_running() ? "running" : s.is_notified() ? "scheduled" : "idle";
        std::ostringstream out;
        out << "  task " << t.id << " " << state << (s.is_cancelled() ? " (cancelling)" : "")
            << " spawned_at=" << t.diagnostics.location().file_name() << ":" << t.diagnostics.location().line() << "\n";
        lines.push_back({t.id, out.str()});
    });
    std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.id < b.id; });
    std::string all;
    for (const Line& l : lines) all += l.text;
    if (lines.empty()) all = "  (none: block_on's future waits on something no task will wake)\n";
    return all;
}

std::string SimulationScheduler::replay_hint() const {
    return "replay: POLLEN_SIM_SEED=" + std::to_string(seed_) + " (" + stats().to_string() + ")";
}

bool SimulationScheduler::begin_block_in_place() {
    throw std::logic_error(
        "pollen::block_in_place is refused inside a simulation: the one thread that runs every task "
        "cannot block, and a real thread would make the run depend on the OS");
}

sim::Stats SimulationScheduler::stats() const {
    sim::Stats s;
    s.seed = seed_;
    s.events = log_.events();
    s.hash = log_.hash();
    s.elapsed = driver->now() - kSimulationStart;
    return s;
}

void SimulationScheduler::fill_metrics(RuntimeMetrics& m) {
    m.workers = 0;
    m.polls = polls_;
    m.global_queue_depth = runnable_.size();
}

void SimulationScheduler::shutdown() {
    if (closed_) return;
    closed_ = true;
    {
        std::lock_guard lock(foreign_mu_);
        foreign_closed_ = true;
    }
    owned_.close_and_drain([](Header* t) {
        shutdown_task(t);
        drop_reference(t);  // the list's reference
    });
    // Queue entries hold references only; the tasks are complete now.
    for (Header* t : runnable_) drop_reference(t);
    runnable_.clear();
    std::vector<Header*> foreign;
    {
        std::lock_guard lock(foreign_mu_);
        foreign.swap(foreign_);
    }
    for (Header* t : foreign) drop_reference(t);
    driver->shutdown();
}

}  // namespace pollen::detail
