#include "runtime.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "detail/console/console_path.hpp"
#include "detail/console/console_protocol.hpp"
#include "detail/console/console_server.hpp"
#include "detail/human_duration.hpp"
#include "detail/scheduler/blocking_pool.hpp"
#include "detail/scheduler/current_thread.hpp"
#include "detail/scheduler/multi_thread.hpp"
#include "detail/scheduler/simulation.hpp"
#include "detail/task/poll_diagnostics.hpp"
#include "detail/dump_on_signal.hpp"
#include "detail/task_dump.hpp"

#include <spdlog/spdlog.h>

#include "../core/log.hpp"

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
    // The console goes first: it reads the tasks that shutdown destroys.
    if (std::shared_ptr<detail::ConsoleServer> console = std::move(sched_->console)) console->stop();
    // Workers first: a cancelled task may be awaiting a blocking closure.
    sched_->shutdown();
    if (auto* pool = static_cast<detail::BlockingPool*>(sched_->blocking_pool.get()))
        pool->shutdown_for(blocking_timeout);
    if (detail::TraceRecorder* trace = sched_->trace.get()) {
        sched_->driver->reactor().set_timer_observer(nullptr);
        if (!trace->path().empty() && trace->claim_final_write()) {
            try {
                trace->write(trace->path());
            } catch (const std::exception& e) {
                detail::log().warn("{}", e.what());  // a destructor must not throw
            }
        }
    }
}

namespace {
detail::TraceRecorder& trace_of(const detail::Scheduler& s) {
    if (!s.trace) throw std::logic_error("pollen: this runtime records no trace (Builder::trace, POLLEN_TRACE)");
    return *s.trace;
}
}  // namespace

std::string Runtime::trace_json() const { return trace_of(*sched_).to_json(); }
void Runtime::write_trace(const std::string& path) const { trace_of(*sched_).write(path); }

RuntimeMetrics Runtime::metrics() const { return handle().metrics(); }

std::vector<TaskSnapshot> Runtime::task_snapshots() const { return detail::task_snapshots(*sched_); }

std::string Runtime::console_path() const { return sched_->console ? sched_->console->path() : std::string(); }

std::string Runtime::dump() const { return detail::dump_text(*sched_); }

std::vector<TaskTrace> Runtime::task_dump() const { return detail::task_dump(*sched_); }

std::string detail::dump_text(Scheduler& sched) {
    // The trees first: each is read outside the task list's lock (task_dump.cpp).
    std::unordered_map<std::uint64_t, std::string> trees;
    for (const TaskTrace& t : task_dump(sched))
        if (t.future) trees.emplace(t.id, t.future->to_string(4));
    TaskSnapshot::Instant now{std::chrono::nanoseconds(detail::stats_now_ns())};  // the snapshots' clock
    auto ago = [&](const std::optional<TaskSnapshot::Instant>& t) {
        return t ? detail::human_duration(now - *t) + "_ago" : std::string("never");
    };
    std::ostringstream out;
    for (const TaskSnapshot& t : detail::task_snapshots(sched)) {
        out << "task " << t.id << " " << to_string(t.state) << (t.cancelling ? " (cancelling)" : "");
        if (!t.name.empty()) out << " name=\"" << t.name << "\"";
        if (t.has_stats) {
            out << " polls=" << t.polls;
            if (t.polls == 0) out << " never_polled";
            out << " busy=" << detail::human_duration(t.busy) << " scheduled=" << detail::human_duration(t.scheduled)
                << " idle=" << detail::human_duration(t.idle)
                << " wakes=" << t.wakes << " self_wakes=" << t.self_wakes << " waker_clones=" << t.waker_clones
                << " waker_drops=" << t.waker_drops << " last_wake=" << ago(t.last_wake)
                << " last_poll=" << ago(t.last_poll_started);
        }
        out << " spawned_at=" << t.spawned_at.file_name() << ":" << t.spawned_at.line() << "\n";
        if (auto tree = trees.find(t.id); tree != trees.end()) out << tree->second;
    }
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

Builder& Builder::simulation_event_limit(std::uint64_t limit) {
    config_.simulation_event_limit = limit;
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
    if (const char* env = std::getenv("POLLEN_TRACE"); env && *env) {
        config_.trace = true;
        config_.trace_path = env;
    }
    if (const char* env = std::getenv("POLLEN_CONSOLE"); env && *env) {
        std::string_view v(env);
        config_.console = v != "0";
        if (v != "0" && v != "1") config_.console_path = env;
    }
    if (const char* env = std::getenv("POLLEN_TRACE_BUFFER"); env && *env) {
        char* end = nullptr;
        unsigned long long n = std::strtoull(env, &end, 10);
        if (*end != '\0' || *env == '-' || n == 0)
            throw std::invalid_argument(std::string("pollen: POLLEN_TRACE_BUFFER is not a count of events: ") + env);
        config_.trace_buffer = std::size_t(n);
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
Builder& Builder::task_stats_retain_done(std::size_t n) {
    config_.task_stats_retain_done = n;
    return *this;
}
Builder& Builder::trace(std::string path) {
    config_.trace = true;
    config_.trace_path = std::move(path);
    return *this;
}
Builder& Builder::trace_buffer(std::size_t events) {
    config_.trace_buffer = events == 0 ? 1 : events;
    return *this;
}
Builder& Builder::console(bool on) {
    config_.console = on;
    return *this;
}
Builder& Builder::console_path(std::string path) {
    config_.console = true;
    config_.console_path = std::move(path);
    return *this;
}

namespace {
// Starts the console of `s` (Builder::console); a failure leaves the
// runtime without one, with a warning saying why.
void start_console(detail::Scheduler& s, const Builder::Config& config, const char* flavor) {
    std::string path = config.console_path;
    if (path.empty()) {
        std::string dir = detail::console_dir();
        if (std::string why = detail::ensure_private_dir(dir); !why.empty()) {
            detail::log().warn("pollen console disabled: {}", why);
            return;
        }
        path = detail::next_default_console_path();
    }
    detail::ConsoleSources src;
    // The server is stopped before the scheduler can go (Runtime::shutdown_now),
    // so a plain pointer is enough and makes no cycle.
    detail::Scheduler* sp = &s;
    src.metrics = [sp] { return Handle(sp->shared_from_this()).metrics(); };
    src.tasks = [sp] { return detail::task_snapshots(*sp); };
    src.dump = [sp] { return detail::dump_text(*sp); };
    src.flavor = flavor;
    if (config.slow_poll.count() > 0) src.thresholds.long_poll = config.slow_poll;
    try {
        s.console = std::make_shared<detail::ConsoleServer>(
            path, [src = std::move(src)](std::string_view request) { return detail::console_reply(request, src); });
    } catch (const std::exception& e) {
        detail::log().warn("pollen console disabled: {}", e.what());
    }
}
}  // namespace

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
                                                               config_.seed, config_.simulation_time_limit,
                                                               config_.simulation_event_limit);
        s->slow_poll_ns = slow_poll_ns;
        s->detect_lost_wakers = config_.detect_lost_wakers || config_.console;
        if (config_.task_stats || config_.console)
            s->runtime_stats = std::make_unique<detail::RuntimeStats>(config_.task_stats_retain_done);
        if (config_.console) start_console(*s, config_, "simulation");
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
    s->detect_lost_wakers = config_.detect_lost_wakers || config_.console;
    if (config_.task_stats || config_.trace || config_.console)
        s->runtime_stats = std::make_unique<detail::RuntimeStats>(config_.task_stats_retain_done);
    s->blocking_pool = std::make_shared<detail::BlockingPool>(
        s, s->driver, config_.max_blocking_threads, config_.thread_keep_alive, config_.thread_name,
        config_.on_thread_start, config_.on_thread_stop);
    if (config_.trace) {
        auto trace = std::make_shared<detail::TraceRecorder>(config_.trace_path, config_.trace_buffer);
        s->trace = trace;
        // The pool's tasks carry statistics too (the trace's hooks), kept
        // out of the runtime's histograms and snapshots.
        s->blocking_pool->trace = trace;
        s->blocking_pool->runtime_stats = std::make_unique<detail::RuntimeStats>(0);
        s->driver->reactor().set_timer_observer(trace.get());
    }
    if (config_.console)
        start_console(*s, config_, config_.flavor == Flavor::CurrentThread ? "current_thread" : "multi_thread");
    Runtime rt(std::move(s));  // from here on, a throw shuts the runtime down
    if (config_.dump_signal != 0) detail::start_dump_on_signal(rt.sched_, config_.dump_signal, config_.dump_path);
    return rt;
}

}  // namespace pollen
