#pragma once
/// Reactor: turns OS readiness and timer deadlines into Waker calls (Tokio's
/// I/O and time drivers in one). It knows nothing of scheduling: the runtime
/// calls `turn()` from whichever idle worker drives it, and `unpark()` from
/// any thread to cut that wait short.
///
/// One turn is a fixed sequence of named steps, like libuv's uv_run:
/// free_released (registrations dropped since the last turn), compute_timeout
/// (the wait, from the earliest timer), poll_events (wait for OS events
/// through the Poller: epoll on Linux, kqueue on BSD/macOS; edge-triggered),
/// dispatch_io (wake the tasks whose descriptors became ready),
/// auto_advance_if_idle (a paused clock jumps to the next timer) and
/// fire_due_timers. The events buffer is allocated once and reused by every
/// turn; a turn handles at most its capacity of events (Tokio's
/// max_io_events_per_tick, 1024), the OS keeps the rest for the next turn.
///
/// A simulation's reactor (enter_simulation) is never turned: no OS wait,
/// no I/O registration; its runtime jumps the virtual clock and fires the
/// due timers through advance_clock when every task is idle.
///
/// A failing wait is fatal, as in Tokio (mio returns the error, Tokio's
/// driver panics "unexpected error when polling the I/O driver"): pollen
/// prints that line with the OS error to stderr and aborts. EINTR is not a
/// failure, only a turn without events.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <unordered_set>
#include <vector>

#include "clock.hpp"
#include "poller.hpp"
#include "scheduled_io.hpp"
#include "timer_heap.hpp"
#include "timer_observer.hpp"

namespace pollen::detail {

class Reactor : public std::enable_shared_from_this<Reactor> {
public:
    /// Throws std::system_error if the OS refuses the epoll/kqueue instance.
    /// A turn dispatches at most `max_events_per_turn` I/O events.
    explicit Reactor(std::size_t max_events_per_turn = Events::kDefaultCapacity);
    ~Reactor();
    Reactor(const Reactor&) = delete;
    Reactor& operator=(const Reactor&) = delete;

    // ---- I/O registrations ----
    /// Registers `fd` for read and write readiness (edge-triggered). Throws
    /// std::logic_error in a simulation (see refuse_real_io_in_simulation).
    ScheduledIo* register_fd(int fd, std::error_code& ec);
    /// Stops watching `fd`; `io` is freed at the start of the next turn, after
    /// any event already collected for it was handled. Call before closing fd.
    void deregister(int fd, ScheduledIo* io);

    // ---- timers ----
    Clock& clock() { return clock_; }
    /// Ready once `e->deadline` passed; otherwise (re)queues the entry with the
    /// waker. Thread-safe.
    bool poll_timer(TimerEntry* e, const Waker& waker);
    /// Moves a queued timer to a new deadline (Sleep::reset).
    void reset_timer(TimerEntry* e, std::chrono::steady_clock::time_point deadline);
    /// Dequeues the entry; drops its waker. Thread-safe, idempotent.
    void cancel_timer(TimerEntry* e);
    std::size_t pending_timers();

    // ---- driving (one thread at a time) ----
    /// Waits for events at most `max_wait` (nullopt: until an event, timer or
    /// unpark), dispatches them and fires due timers. With a paused clock and
    /// nothing else to do, jumps the clock to the next timer instead of waiting
    /// (unless auto-advance is inhibited, see below).
    void turn(std::optional<std::chrono::nanoseconds> max_wait);
    /// Interrupts a thread blocked in turn() (eventfd / EVFILT_USER).
    void unpark();

    /// Every registration reports shutdown to its waiters; timers fire.
    void shutdown();

    /// The reactor of the runtime this thread runs in (null outside one).
    static Reactor* current();
    /// Makes `r` current on this thread for the guard's lifetime.
    class EnterGuard {
    public:
        explicit EnterGuard(Reactor* r);
        ~EnterGuard();
        EnterGuard(const EnterGuard&) = delete;
        EnterGuard& operator=(const EnterGuard&) = delete;

    private:
        Reactor* previous_;
    };

    /// Wakes every timer whose deadline passed (by the clock, paused or not).
    void fire_due_timers();
    /// Tells `o` of every batch of timers fired from now on (null: nobody).
    /// The caller keeps `o` alive until it sets null again.
    void set_timer_observer(TimerObserver* o) { timer_observer_.store(o, std::memory_order_release); }
    /// How far the clock is from the earliest armed timer (zero when one is
    /// due); nullopt when none is armed.
    std::optional<std::chrono::nanoseconds> wait_for_next_timer();

    // ---- simulation (Builder::new_simulation) ----
    /// Makes this the reactor of a deterministic simulation, before any task
    /// runs: its clock virtual from `start` (Clock::freeze_for_simulation),
    /// real I/O refused. Its runtime never turns it (no OS wait): when idle
    /// it jumps the clock with advance_clock.
    void enter_simulation(std::chrono::steady_clock::time_point start);
    bool is_simulated() const { return simulated_; }
    /// The simulation's idle jump: moves the virtual clock by `d` and fires
    /// the timers then due (in deadline order, ties in registration order).
    void advance_clock(std::chrono::nanoseconds d) {
        clock_.auto_advance(d);
        fire_due_timers();
    }
    /// Throws std::logic_error naming `what` when the reactor current on
    /// this thread is a simulation's: a real socket, pipe, signal or child
    /// would make the run depend on the OS. Called where such objects are
    /// made (net's sockets, process spawn) before they exist, and by
    /// register_fd for whatever else reaches the reactor.
    static void refuse_real_io_in_simulation(const char* what);

    /// While one is held, a paused clock does not auto-advance (Tokio's
    /// inhibit_auto_advance): the runtime is not idle, it waits for work
    /// outside it. The blocking pool holds one per blocking task, from its
    /// spawn until it completed. Thread-safe.
    void inhibit_auto_advance() { auto_advance_inhibitors_.fetch_add(1, std::memory_order_acq_rel); }
    /// Releases one; the last wakes the driving thread, which may then jump
    /// the paused clock at once instead of waiting in real time.
    void allow_auto_advance() {
        if (auto_advance_inhibitors_.fetch_sub(1, std::memory_order_acq_rel) == 1 && clock_.is_paused()) unpark();
    }

private:
    /// compute_timeout's answer: how long poll_events may wait, and whether
    /// a paused clock may then jump to the next timer.
    struct TurnWait {
        int timeout_ms = -1;  // for the Poller; -1: until an event or wake
        std::optional<std::chrono::nanoseconds> timer_wait;  // until the earliest timer
        bool may_auto_advance = false;
    };

    // The steps of turn(), in their order.
    void free_released();
    TurnWait compute_timeout(std::optional<std::chrono::nanoseconds> max_wait);
    void poll_events(int timeout_ms);
    std::size_t dispatch_io();
    void auto_advance_if_idle(const TurnWait& wait, std::size_t dispatched);

    Poller poller_;
    Events events_;  // filled by poll_events, read by dispatch_io; the driving thread's

    std::mutex regs_mu_;
    std::unordered_set<ScheduledIo*> live_;                // owned; kept for shutdown()
    std::vector<ScheduledIo*> released_;                   // deregistered, freed next turn
    bool shut_down_ = false;

    Clock clock_;
    std::mutex timers_mu_;
    TimerHeap timers_;
    // When the driving thread will wake on its own (ns since clock epoch;
    // max = never): an earlier new timer must unpark it.
    std::atomic<std::int64_t> wake_at_ns_{INT64_MAX};
    std::atomic<bool> driving_{false};
    std::atomic<int> auto_advance_inhibitors_{0};
    std::atomic<TimerObserver*> timer_observer_{nullptr};
    bool simulated_ = false;  // set before the runtime exists, read-only afterwards
};

}  // namespace pollen::detail
