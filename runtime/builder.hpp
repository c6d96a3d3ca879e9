#pragma once
/// Builder: configures and builds a Runtime (Tokio's `runtime::Builder`).
///
///     auto rt = pollen::Runtime::builder().worker_threads(4).build();   // multi-thread
///     auto rt = pollen::Builder::new_current_thread().build();         // one thread
///     auto rt = pollen::Builder::new_simulation(seed).build();         // deterministic, for tests

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pollen {

class Runtime;

class Builder {
public:
    enum class Flavor { CurrentThread, MultiThread, Simulation };

    /// Tasks run on the thread calling block_on, nowhere else.
    static Builder new_current_thread() { return Builder(Flavor::CurrentThread); }
    /// A work-stealing pool of worker threads (the default).
    static Builder new_multi_thread() { return Builder(Flavor::MultiThread); }
    /// A deterministic simulation (docs/simulation.md): tasks run on the
    /// thread in block_on, in an order drawn from `seed`, on a virtual clock
    /// that jumps to the next timer when nothing can run; the same seed
    /// replays the same run (Runtime::simulation_stats). The environment
    /// variable POLLEN_SIM_SEED, when set, replaces `seed` (to replay a
    /// failure); a value that is not a decimal number throws std::invalid_argument.
    static Builder new_simulation(std::uint64_t seed);

    /// Simulation only: block_on throws sim::TimeLimitExceeded instead of
    /// jumping the virtual clock past `limit` after the start (default: none).
    Builder& simulation_time_limit(std::chrono::nanoseconds limit);
    /// Simulation only: block_on throws sim::EventLimitExceeded once the run
    /// logged more than `limit` events (a livelock that never sleeps, such
    /// as tasks yielding to each other forever; default: none).
    Builder& simulation_event_limit(std::uint64_t limit);

    /// Number of workers of the multi-thread flavour (default: one per core).
    /// 0 throws std::invalid_argument (Tokio panics).
    Builder& worker_threads(std::size_t n);
    /// Name given to the runtime's threads (visible in debuggers, top -H).
    Builder& thread_name(std::string name);
    /// Called on each thread the runtime starts (workers and the blocking
    /// pool's threads, as in Tokio) when it starts / before it stops.
    Builder& on_thread_start(std::function<void()> fn);
    Builder& on_thread_stop(std::function<void()> fn);
    /// Called by a worker (or, on the current-thread flavour, by the thread
    /// in block_on) just before it parks for want of work / just after it
    /// wakes (Tokio's `on_thread_park` / `on_thread_unpark`). They run on the
    /// runtime's thread, so they must not block.
    Builder& on_thread_park(std::function<void()> fn);
    Builder& on_thread_unpark(std::function<void()> fn);
    /// Upper bound on threads of the blocking pool (spawn_blocking).
    /// 0 throws std::invalid_argument (Tokio panics).
    Builder& max_blocking_threads(std::size_t n);
    /// How long an idle blocking thread waits for work before exiting.
    Builder& thread_keep_alive(std::chrono::milliseconds d);
    /// A poll longer than this logs a warning (blocking detection); 0 disables.
    Builder& warn_on_slow_poll(std::chrono::microseconds d);
    /// Reports (a warning naming the spawn location, and
    /// RuntimeMetrics::lost_waker_count) a task whose poll returned Pending
    /// while no clone of its waker was alive and it was not woken: nothing
    /// can wake it again. Costs an atomic per waker clone and drop when on.
    /// Default: on in debug builds (NDEBUG not defined), else off; the
    /// environment variable POLLEN_DETECT_LOST_WAKERS=1 or 0 overrides the default.
    Builder& detect_lost_wakers(bool on);
    /// Keeps statistics for every task, as tokio-console shows them (polls,
    /// busy, scheduled and idle time, wakes, self-wakes, waker clones and
    /// drops, last wake, a poll-time histogram: TaskSnapshot), and the
    /// runtime's histograms of poll durations and scheduling delays
    /// (RuntimeMetrics); read by Runtime::task_snapshots, metrics and dump.
    /// Off by default: a task then carries only its spawn location (a task
    /// spawned with a name, task::Builder, carries statistics anyway); on,
    /// each spawn allocates a block of about 250 bytes more and each poll
    /// reads the clock twice. The environment variable POLLEN_TASK_STATS=1
    /// or 0 overrides the default.
    Builder& task_stats(bool on);
    /// Writes Runtime::dump() (every task and where it is parked) to stderr,
    /// or appends it to the file `path`, each time signal `signo` arrives:
    /// `kill -USR1 <pid>` on a stuck program (docs/debugging.md). The handler
    /// is installed by build() (so the signal no longer has its default
    /// action) and only wakes the runtime's reactor; a task of the runtime
    /// writes the dump (on the current-thread flavour, while block_on runs).
    /// The environment variables POLLEN_DUMP_SIGNAL (USR1, SIGUSR1 or a
    /// number) and POLLEN_DUMP_FILE set both for every runtime the program
    /// builds; an unknown signal name there throws std::invalid_argument.
    /// Ignored by the simulation flavour (no real signals). 0: off (default).
    Builder& dump_on_signal(int signo, std::string path = {});
    /// With task_stats: how many finished tasks task_snapshots still shows
    /// (state Done), the most recent ones (default 256; 0: none).
    Builder& task_stats_retain_done(std::size_t n);
    /// Records a timeline of the runtime (docs/debugging.md): spawns, a
    /// slice per poll on the polling thread's track, wakes with a flow to
    /// the poll each caused, blocking-pool work and timer firings, as Chrome
    /// trace-event JSON (Perfetto, chrome://tracing; samples/trace_timeline
    /// draws it as a self-contained HTML page). The last trace_buffer
    /// events are kept; the runtime writes them to `path` when it shuts down
    /// ("" for never; Runtime::write_trace and trace_json on request). Turns
    /// task_stats on. The environment variable POLLEN_TRACE=FILE turns it on
    /// with FILE, POLLEN_TRACE_BUFFER=N sets the buffer.
    Builder& trace(std::string path);
    /// How many events the trace keeps (default 100,000; about 100 bytes each).
    Builder& trace_buffer(std::size_t events);
    /// Serves the live console (docs/console.md): `pollen-console PID`
    /// attaches to the runtime and shows its tasks, workers and warnings,
    /// refreshed live. The runtime listens on a Unix socket of mode 0600 in
    /// a directory only this user may enter ($XDG_RUNTIME_DIR/pollen-console/
    /// or /tmp/pollen-console-UID/, file PID.sock; no network port), served
    /// by a thread of its own so that it answers even when every worker is
    /// stuck; the runtime's shutdown stops it and removes the socket. Turns
    /// task_stats and detect_lost_wakers on. A socket that cannot be made
    /// logs a warning and the
    /// runtime runs without a console. The environment variable
    /// POLLEN_CONSOLE=1 turns it on, =PATH on at PATH, =0 off.
    Builder& console(bool on);
    /// console(true), listening at `path` instead of the default.
    Builder& console_path(std::string path);
    /// Enables the I/O and time drivers. pollen's runtimes always have them
    /// (one reactor per runtime); accepted so programs read as Tokio's do.
    Builder& enable_all();
    Builder& enable_io() { return enable_all(); }
    Builder& enable_time() { return enable_all(); }
    /// Starts with the clock paused (Tokio's `start_paused`): timers fire by
    /// auto-advance when every task is idle. Current-thread flavour only:
    /// `build()` of a multi-thread runtime started paused throws std::logic_error.
    Builder& start_paused(bool paused);

    Runtime build();

    struct Config {
        Flavor flavor = Flavor::MultiThread;
        std::size_t worker_threads = 1;
        std::string thread_name = "pollen-worker";
        std::function<void()> on_thread_start;
        std::function<void()> on_thread_stop;
        std::function<void()> on_thread_park;
        std::function<void()> on_thread_unpark;
        std::size_t max_blocking_threads = 512;
        std::chrono::milliseconds thread_keep_alive{10'000};
        std::chrono::microseconds slow_poll{10'000};
        bool enable_io_time = false;
        bool start_paused = false;
        bool detect_lost_wakers = false;
        bool task_stats = false;
        int dump_signal = 0;    // 0: off
        std::string dump_path;  // empty: stderr
        std::size_t task_stats_retain_done = 256;
        bool trace = false;
        std::string trace_path;
        std::size_t trace_buffer = 100'000;
        bool console = false;
        std::string console_path;  // "": the default (detail/console/console_path.hpp)
        std::uint64_t seed = 0;  // simulation only
        std::optional<std::chrono::nanoseconds> simulation_time_limit;
        std::optional<std::uint64_t> simulation_event_limit;
    };
    const Config& config() const { return config_; }

private:
    explicit Builder(Flavor f);
    Config config_;
};

}  // namespace pollen
