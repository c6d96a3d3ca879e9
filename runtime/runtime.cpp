#include "runtime.hpp"

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "detail/scheduler/blocking_pool.hpp"
#include "detail/scheduler/current_thread.hpp"
#include "detail/scheduler/multi_thread.hpp"
#include "detail/scheduler/simulation.hpp"
#include "detail/task/poll_diagnostics.hpp"
#include "detail/dump_on_signal.hpp"
#include "detail/task_dump.hpp"

namespace pollen {

Builder Runtime::builder() { return Builder::new_multi_thread(); }

Runtime& Runtime::operator=(Runtime&& other) noexcept {
    if (this != &other) {
        shutdown_now(std::chrono::hours(24 * 365));
        sched_ = std::move(other.sched_);
    }
    return *this;
}

Runtime::~Runtime() { shutdown_now(std::chrono::hours(24 * 365)); }

void Runtime::shutdown_timeout(std::chrono::nanoseconds timeout) { shutdown_now(timeout); }

void Runtime::shutdown_background() { shutdown_now(std::chrono::nanoseconds::zero()); }

void Runtime::shutdown_now(std::chrono::nanoseconds blocking_timeout) {
    if (!sched_) return;
    // Workers first: a cancelled task may be awaiting a blocking closure.
    sched_->shutdown();
    if (auto* pool = static_cast<detail::BlockingPool*>(sched_->blocking_pool.get()))
        pool->shutdown_for(blocking_timeout);
}

RuntimeMetrics Runtime::metrics() const { return handle().metrics(); }

std::string Runtime::dump() const { return detail::dump_text(*sched_); }

std::vector<TaskTrace> Runtime::task_dump() const { return detail::task_dump(*sched_); }

std::string detail::dump_text(Scheduler& sched) {
    // The trees first: each is read outside the task list's lock (task_dump.cpp).
    std::unordered_map<std::uint64_t, std::string> trees;
    for (const TaskTrace& t : task_dump(sched))
        if (t.future) trees.emplace(t.id, t.future->to_string(4));
    auto now_ms = std::uint32_t(detail::coarse_now_ns() / 1'000'000);  // the clock of last_poll_ms
    std::ostringstream out;
    sched.owned().for_each([&](const detail::Header& t) {
        detail::Snapshot s = t.state.load(std::memory_order_relaxed);
        const char* state = s.is_running() ? "running" : s.is_notified() ? "scheduled" : "idle";
        out << "task " << t.id << " " << state << (s.is_cancelled() ? " (cancelling)" : "");
        if (const detail::TaskStats* st = t.diagnostics.stats()) {
            std::uint32_t polls = st->polls.load(std::memory_order_relaxed);
            out << " polls=" << polls;
            if (polls != 0)
                out << " last_poll=" << std::uint32_t(now_ms - st->last_poll_ms.load(std::memory_order_relaxed))
                    << "ms_ago";
            else out << " never_polled";
        }
        std::source_location loc = t.diagnostics.location();
        out << " spawned_at=" << loc.file_name() << ":" << loc.line() << "\n";
        if (auto tree = trees.find(t.id); tree != trees.end()) out << tree->second;
    });
    return out.str();
}

sim::Stats Runtime::simulation_stats() const {
    auto* s = dynamic_cast<const detail::SimulationScheduler*>(sched_.get());
    if (!s) throw std::logic_error("pollen::Runtime::simulation_stats: not a simulation runtime (Builder::new_simulation)");
    return s->stats();
}

Builder Builder::new_simulation(std::uint64_t seed) {
    Builder b(Flavor::Simulation);
    b.config_.seed = seed;
    if (const char* env = std::getenv("POLLEN_SIM_SEED"); env && *env) {
        char* end = nullptr;
        errno = 0;
        unsigned long long v = std::strtoull(env, &end, 10);
        if (*end != '\0' || errno != 0 || *env == '-')
            throw std::invalid_argument(std::string("pollen: POLLEN_SIM_SEED is not a seed: ") + env);
        b.config_.seed = v;
    }
    return b;
}

Builder& Builder::simulation_time_limit(std::chrono::nanoseconds limit) {
    config_.simulation_time_limit = limit;
    return *this;
}

Builder::Builder(Flavor f) {
    config_.flavor = f;
    config_.worker_threads = std::max(1u, std::thread::hardware_concurrency());
#ifdef NDEBUG
    config_.detect_lost_wakers = false;
#else
    config_.detect_lost_wakers = true;
#endif
    if (const char* env = std::getenv("POLLEN_DETECT_LOST_WAKERS"); env && *env)
        config_.detect_lost_wakers = std::string_view(env) != "0";
    if (const char* env = std::getenv("POLLEN_TASK_STATS"); env && *env)
        config_.task_stats = std::string_view(env) != "0";
    if (const char* env = std::getenv("POLLEN_DUMP_SIGNAL"); env && *env) {
        config_.dump_signal = detail::parse_signal_name(env);
        if (config_.dump_signal == 0)
            throw std::invalid_argument(std::string("pollen: POLLEN_DUMP_SIGNAL is not a signal: ") + env);
        if (const char* file = std::getenv("POLLEN_DUMP_FILE"); file) config_.dump_path = file;
    }
}

Builder& Builder::worker_threads(std::size_t n) {
    if (n == 0) throw std::invalid_argument("pollen::Builder::worker_threads: worker threads cannot be set to 0");
    config_.worker_threads = n;
    return *this;
}
Builder& Builder::thread_name(std::string name) {
    config_.thread_name = std::move(name);
    return *this;
}
Builder& Builder::on_thread_start(std::function<void()> fn) {
    config_.on_thread_start = std::move(fn);
    return *this;
}
Builder& Builder::on_thread_stop(std::function<void()> fn) {
    config_.on_thread_stop = std::move(fn);
    return *this;
}
Builder& Builder::on_thread_park(std::function<void()> fn) {
    config_.on_thread_park = std::move(fn);
    return *this;
}
Builder& Builder::on_thread_unpark(std::function<void()> fn) {
    config_.on_thread_unpark = std::move(fn);
    return *this;
}
Builder& Builder::max_blocking_threads(std::size_t n) {
    if (n == 0)
        throw std::invalid_argument("pollen::Builder::max_blocking_threads: max blocking threads cannot be set to 0");
    config_.max_blocking_threads = n;
    return *this;
}
Builder& Builder::thread_keep_alive(std::chrono::milliseconds d) {
    config_.thread_keep_alive = d;
    return *this;
}
Builder& Builder::warn_on_slow_poll(std::chrono::microseconds d) {
    config_.slow_poll = d;
    return *this;
}
Builder& Builder::start_paused(bool paused) {
    config_.start_paused = paused;
    return *this;
}
Builder& Builder::detect_lost_wakers(bool on) {
    config_.detect_lost_wakers = on;
    return *this;
}
Builder& Builder::task_stats(bool on) {
    config_.task_stats = on;
    return *this;
}
Builder& Builder::dump_on_signal(int signo, std::string path) {
    config_.dump_signal = signo;
    config_.dump_path = std::move(path);
    return *this;
}
Builder& Builder::enable_all() {
    config_.enable_io_time = true;
    return *this;
}

Runtime Builder::build() {
    std::int64_t slow_poll_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(config_.slow_poll).count();
    auto reactor = std::make_shared<detail::Reactor>();
    if (config_.flavor == Flavor::Simulation) {
        // No blocking pool: spawn_blocking is refused (blocking_pool_or_throw).
        reactor->enter_simulation(detail::kSimulationStart);
        auto s = std::make_shared<detail::SimulationScheduler>(std::make_shared<detail::Driver>(std::move(reactor)),
                                                               config_.seed, config_.simulation_time_limit);
        s->slow_poll_ns = slow_poll_ns;
        s->detect_lost_wakers = config_.detect_lost_wakers;
        return Runtime(std::move(s));
    }
    // Tokio: only the current-thread runtime's clock may be paused (its
    // auto-advance needs to know that every task is idle); start_paused on
    // the multi-thread flavour throws std::logic_error here.
    reactor->clock().set_pausing_allowed(config_.flavor == Flavor::CurrentThread);
    if (config_.start_paused) reactor->clock().pause();
    auto driver = std::make_shared<detail::Driver>(std::move(reactor));
    std::shared_ptr<detail::Scheduler> s;
    if (config_.flavor == Flavor::CurrentThread) {
        auto ct = std::make_shared<detail::CurrentThreadScheduler>(std::move(driver));
        ct->on_park = config_.on_thread_park;
        ct->on_unpark = config_.on_thread_unpark;
        s = std::move(ct);
    } else {
        auto mt = std::make_shared<detail::MultiThreadScheduler>(config_, std::move(driver));
        mt->start();
        s = std::move(mt);
    }
    s->slow_poll_ns = slow_poll_ns;
    s->detect_lost_wakers = config_.detect_lost_wakers;
    s->task_stats = config_.task_stats;
    s->blocking_pool = std::make_shared<detail::BlockingPool>(
        s, s->driver, config_.max_blocking_threads, config_.thread_keep_alive, config_.thread_name,
        config_.on_thread_start, config_.on_thread_stop);
    Runtime rt(std::move(s));  // from here on, a throw shuts the runtime down
    if (config_.dump_signal != 0) detail::start_dump_on_signal(rt.sched_, config_.dump_signal, config_.dump_path);
    return rt;
}

}  // namespace pollen
