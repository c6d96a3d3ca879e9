// The reactor: registrations, timers and the turn. Everything OS-specific is
// behind the Poller (poller.hpp), one backend file per OS.
#include "reactor.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace pollen::detail {

namespace {

thread_local Reactor* tls_reactor = nullptr;

std::int64_t since_epoch_ns(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

/// Tokio panics here: the poll instance is broken (EBADF, EINVAL, ENOMEM...),
/// every later turn would fail alike, and the runtime's tasks would wait for
/// I/O and timers that never come. Quietly going on would hang the program;
/// throwing would leave the parker and the worker mid-state (and end a worker
/// thread in std::terminate anyway).
[[noreturn]] void poll_failed(const std::error_code& ec) {
    std::fprintf(stderr, "pollen: unexpected error when polling the I/O driver: %s (errno %d)\n",
                 ec.message().c_str(), ec.value());
    std::fflush(stderr);
    std::abort();
}

[[noreturn]] void refuse_in_simulation(const char* what) {
    throw std::logic_error(std::string("pollen: ") + what +
                           " is refused inside a simulation: a real socket, pipe, signal or child process "
                           "would make the run depend on the OS (simulated hosts and network are not built "
                           "yet; see docs/simulation.md)");
}

}  // namespace

// ------------------------------------------------------------------ reactor
Reactor::Reactor(std::size_t max_events_per_turn) : events_(max_events_per_turn) {}

Reactor::~Reactor() {
    shutdown();
    free_released();
    for (ScheduledIo* io : live_) delete io;
}

Reactor* Reactor::current() { return tls_reactor; }
Reactor::EnterGuard::EnterGuard(Reactor* r) : previous_(tls_reactor) { tls_reactor = r; }
Reactor::EnterGuard::~EnterGuard() { tls_reactor = previous_; }

void Reactor::enter_simulation(std::chrono::steady_clock::time_point start) {
    clock_.freeze_for_simulation(start);
    simulated_ = true;
    // No thread ever sleeps in this reactor: a new timer needs no unpark
    // (which would cost an eventfd write per timer).
    wake_at_ns_.store(INT64_MIN, std::memory_order_relaxed);
}

void Reactor::refuse_real_io_in_simulation(const char* what) {
    if (tls_reactor != nullptr && tls_reactor->simulated_) refuse_in_simulation(what);
}

ScheduledIo* Reactor::register_fd(int fd, std::error_code& ec) {
    if (simulated_) refuse_in_simulation("registering a file descriptor with the reactor");
    auto* io = new ScheduledIo;
    {
        std::lock_guard lock(regs_mu_);
        if (shut_down_) {
            delete io;
            ec = std::make_error_code(std::errc::operation_canceled);
            return nullptr;
        }
        live_.insert(io);
    }
    if (std::error_code err = poller_.watch(fd, io)) {
        ec = err;
        std::lock_guard lock(regs_mu_);
        live_.erase(io);
        delete io;
        return nullptr;
    }
    ec.clear();
    return io;
}

void Reactor::deregister(int fd, ScheduledIo* io) {
    poller_.unwatch(fd);
    std::lock_guard lock(regs_mu_);
    live_.erase(io);
    released_.push_back(io);
}

void Reactor::free_released() {
    std::vector<ScheduledIo*> doomed;
    {
        std::lock_guard lock(regs_mu_);
        doomed.swap(released_);
    }
    for (ScheduledIo* io : doomed) delete io;
}

bool Reactor::poll_timer(TimerEntry* e, const Waker& waker) {
    std::chrono::steady_clock::time_point deadline;
    {
        std::lock_guard lock(timers_mu_);
        if (e->fired) return true;
        if (e->deadline <= clock_.now()) {
            timers_.remove(e);
            e->fired = true;
            e->waker.reset();
            return true;
        }
        if (!e->waker || !e->waker->will_wake(waker)) e->waker.emplace(waker);
        if (e->heap_index != TimerEntry::kNotQueued) return false;
        timers_.insert(e);
        deadline = e->deadline;
    }
    // The driving thread sleeps past this deadline: cut its wait short.
    if (since_epoch_ns(deadline) < wake_at_ns_.load(std::memory_order_acquire)) unpark();
    return false;
}

void Reactor::reset_timer(TimerEntry* e, std::chrono::steady_clock::time_point deadline) {
    {
        std::lock_guard lock(timers_mu_);
        e->deadline = deadline;
        e->fired = false;
        if (e->heap_index == TimerEntry::kNotQueued) return;  // queued on its next poll
        timers_.update(e);
    }
    if (since_epoch_ns(deadline) < wake_at_ns_.load(std::memory_order_acquire)) unpark();
}

void Reactor::cancel_timer(TimerEntry* e) {
    std::optional<Waker> dropped;
    std::lock_guard lock(timers_mu_);
    timers_.remove(e);
    dropped = std::move(e->waker);  // destroyed after the lock is released
    e->waker.reset();
}

std::size_t Reactor::pending_timers() {
    std::lock_guard lock(timers_mu_);
    return timers_.size();
}

void Reactor::fire_due_timers() {  // public: time::advance fires at once
    std::vector<Waker> due;
    {
        std::lock_guard lock(timers_mu_);
        auto now = clock_.now();
        while (TimerEntry* top = timers_.top()) {
            if (top->deadline > now) break;
            timers_.pop();
            top->fired = true;
            if (top->waker) due.push_back(std::move(*top->waker));
            top->waker.reset();
        }
    }
    if (due.empty()) return;
    TimerObserver* observer = timer_observer_.load(std::memory_order_acquire);
    std::int64_t began = observer ? observer->timers_firing() : 0;
    for (Waker& w : due) std::move(w).wake();
    if (observer) observer->timers_fired(due.size(), began);
}

std::optional<std::chrono::nanoseconds> Reactor::wait_for_next_timer() {
    std::lock_guard lock(timers_mu_);
    TimerEntry* top = timers_.top();
    if (!top) return std::nullopt;
    return std::max(std::chrono::nanoseconds(0), saturating_sub(top->deadline, clock_.now()));
}

void Reactor::turn(std::optional<std::chrono::nanoseconds> max_wait) {
    free_released();
    TurnWait wait = compute_timeout(max_wait);
    poll_events(wait.timeout_ms);
    std::size_t dispatched = dispatch_io();
    auto_advance_if_idle(wait, dispatched);
    fire_due_timers();
}

Reactor::TurnWait Reactor::compute_timeout(std::optional<std::chrono::nanoseconds> max_wait) {
    // Announce "about to sleep" before reading the heap: a timer inserted
    // after our read then sees a later wake-up time than its own and unparks us.
    wake_at_ns_.store(INT64_MAX, std::memory_order_seq_cst);
    TurnWait out;
    out.timer_wait = wait_for_next_timer();
    std::optional<std::chrono::nanoseconds> wait = out.timer_wait;
    // A blocking task holds a paused clock (Tokio's inhibit_auto_advance):
    // the turn then waits in real time, and jumps the clock only if no
    // blocking task was there when it began nor when it ended.
    bool paused = clock_.is_paused() && auto_advance_inhibitors_.load(std::memory_order_acquire) == 0;
    if (paused && wait) wait = std::chrono::nanoseconds(0);  // look at I/O, then auto-advance
    out.may_auto_advance = paused && out.timer_wait && (!max_wait || max_wait->count() != 0);
    if (max_wait && (!wait || *max_wait < *wait)) wait = max_wait;

    if (wait) {
        // Round up: waking before the deadline would only spin.
        auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wait).count();
        out.timeout_ms = int(std::min<std::int64_t>(ms, INT_MAX));
        // On the clock's time line, where timer deadlines are (it may be
        // offset from steady_clock after a pause and resume).
        wake_at_ns_.store(since_epoch_ns(saturating_add(clock_.now(), *wait)), std::memory_order_seq_cst);
    }
    return out;
}

void Reactor::poll_events(int timeout_ms) {
    if (std::error_code ec = poller_.wait(events_, timeout_ms)) poll_failed(ec);
    wake_at_ns_.store(INT64_MIN, std::memory_order_release);  // awake: no unpark needed for timers
}

std::size_t Reactor::dispatch_io() {
    std::size_t dispatched = 0;
    for (std::size_t i = 0; i < events_.size(); ++i) {
        PollEvent e = events_[i];
        if (e.token == nullptr) continue;  // the wake-up: it only ended the wait
        static_cast<ScheduledIo*>(e.token)->set_readiness_and_wake(e.ready);
        ++dispatched;
    }
    return dispatched;
}

// A paused clock with nothing else to do jumps to the next timer (Tokio's auto-advance).
void Reactor::auto_advance_if_idle(const TurnWait& wait, std::size_t dispatched) {
    if (wait.may_auto_advance && dispatched == 0 &&
        auto_advance_inhibitors_.load(std::memory_order_acquire) == 0)
        clock_.auto_advance(*wait.timer_wait);
}

void Reactor::unpark() { poller_.wake(); }

void Reactor::shutdown() {
    std::vector<ScheduledIo*> all;
    {
        std::lock_guard lock(regs_mu_);
        if (shut_down_) return;
        shut_down_ = true;
        all.assign(live_.begin(), live_.end());
    }
    for (ScheduledIo* io : all) io->set_readiness_and_wake(readiness::kShutdown);
}

}  // namespace pollen::detail
