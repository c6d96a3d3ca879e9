// The reactor and its OS backend. Everything OS-specific of pollen's event
// loop is in this file, behind three functions (backend_create,
// backend_watch, backend_wait) and the wake-up mechanism: epoll + eventfd on
// Linux, kqueue + EVFILT_USER on BSD/macOS. The kqueue half is not exercised
// on our Linux CI; it is kept small so it can be reviewed by eye.
#include "reactor.hpp"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#if defined(__linux__)
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "detail/syscall.hpp"
#define POLLEN_EPOLL 1
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
#include <sys/event.h>
#include <sys/time.h>
#define POLLEN_KQUEUE 1
#else
#error "pollen's reactor supports epoll (Linux) and kqueue (BSD, macOS)"
#endif

namespace pollen::detail {

namespace {

thread_local Reactor* tls_reactor = nullptr;
constexpr int kMaxEvents = 1024;

std::int64_t since_epoch_ns(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// ------------------------------------------------------------------ backend
struct Event {
    void* data;
    std::uint32_t ready;
};

#if POLLEN_EPOLL
int backend_create(int& wakeup_fd) {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) return -1;
    wakeup_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wakeup_fd < 0) {
        close(ep);
        return -1;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.ptr = nullptr;  // null marks the wake-up fd
    epoll_ctl(ep, EPOLL_CTL_ADD, wakeup_fd, &ev);
    return ep;
}

int backend_watch(int poll_fd, int fd, void* data) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = data;
    return sys::epoll_add(poll_fd, fd, &ev);
}

void backend_unwatch(int poll_fd, int fd) {
    epoll_event ev{};  // non-null for kernels before 2.6.9
    epoll_ctl(poll_fd, EPOLL_CTL_DEL, fd, &ev);
}

/// Fills `out`; timeout_ms < 0 waits forever. The wake-up fd is not read:
/// registered edge-triggered, every write to it is a fresh edge even while
/// its counter is non-zero, so draining it would only cost a syscall per wake.
int backend_wait(int poll_fd, int, int timeout_ms, std::vector<Event>& out) {
    epoll_event events[kMaxEvents];
    int n = sys::epoll_wait(poll_fd, events, kMaxEvents, timeout_ms);
    if (n < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; ++i) {
        if (events[i].data.ptr == nullptr) continue;  // the wake-up fd
        std::uint32_t e = events[i].events, r = 0;
        if (e & (EPOLLIN | EPOLLPRI)) r |= readiness::kReadable;
        if (e & EPOLLOUT) r |= readiness::kWritable;
        if (e & EPOLLRDHUP) r |= readiness::kReadClosed | readiness::kReadable;
        if (e & EPOLLHUP) r |= readiness::kReadClosed | readiness::kWriteClosed | readiness::kReadable;
        // An error wakes both directions (the syscall reports it) and answers
        // Interest::ERROR; it is not WRITE_CLOSED, as it is for mio: a UDP
        // socket's ICMP error is one error value, not the end of sending.
        if (e & EPOLLERR) r |= readiness::kError | readiness::kReadable | readiness::kWritable;
        out.push_back({events[i].data.ptr, r});
    }
    return 0;
}

void backend_wake(int wakeup_fd, int) {
    std::uint64_t one = 1;
    if (write(wakeup_fd, &one, sizeof one) >= 0 || errno != EAGAIN) return;
    // The counter, never drained, is about to overflow (after ~2^64 wakes):
    // reset it with a read, then write the wake again.
    std::uint64_t v;
    if (read(wakeup_fd, &v, sizeof v) < 0) return;
    ssize_t rc = write(wakeup_fd, &one, sizeof one);
    (void)rc;
}
#else   // kqueue
int backend_create(int& wakeup_fd) {
    int kq = kqueue();
    if (kq < 0) return -1;
    struct kevent ev;
    EV_SET(&ev, 0, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, nullptr);
    if (kevent(kq, &ev, 1, nullptr, 0, nullptr) < 0) {
        close(kq);
        return -1;
    }
    wakeup_fd = -1;
    return kq;
}

int backend_watch(int kq, int fd, void* data) {
    struct kevent ev[2];
    EV_SET(&ev[0], fd, EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, data);
    EV_SET(&ev[1], fd, EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0, data);
    return kevent(kq, ev, 2, nullptr, 0, nullptr);
}

void backend_unwatch(int kq, int fd) {
    struct kevent ev[2];
    EV_SET(&ev[0], fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
    EV_SET(&ev[1], fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
    kevent(kq, ev, 2, nullptr, 0, nullptr);
}

int backend_wait(int kq, int, int timeout_ms, std::vector<Event>& out) {
    struct kevent events[kMaxEvents];
    timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
    int n = kevent(kq, nullptr, 0, events, kMaxEvents, timeout_ms < 0 ? nullptr : &ts);
    if (n < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; ++i) {
        if (events[i].filter == EVFILT_USER) continue;
        std::uint32_t r = 0;
        if (events[i].filter == EVFILT_READ) r |= readiness::kReadable;
        if (events[i].filter == EVFILT_WRITE) r |= readiness::kWritable;
        if (events[i].flags & EV_EOF)
            r |= events[i].filter == EVFILT_READ ? readiness::kReadClosed : readiness::kWriteClosed;
        if (events[i].flags & EV_ERROR) r |= readiness::kError;
        out.push_back({events[i].udata, r});
    }
    return 0;
}

void backend_wake(int, int kq) {
    struct kevent ev;
    EV_SET(&ev, 0, EVFILT_USER, 0, NOTE_TRIGGER, 0, nullptr);
    kevent(kq, &ev, 1, nullptr, 0, nullptr);
}
#endif

}  // namespace

// ------------------------------------------------------------------ reactor
Reactor::Reactor() {
    poll_fd_ = backend_create(wakeup_fd_);
    if (poll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "pollen: reactor");
}

Reactor::~Reactor() {
    shutdown();
    free_released();
    for (ScheduledIo* io : live_) delete io;
    if (wakeup_fd_ >= 0) close(wakeup_fd_);
    if (poll_fd_ >= 0) close(poll_fd_);
}

Reactor* Reactor::current() { return tls_reactor; }
Reactor::EnterGuard::EnterGuard(Reactor* r) : previous_(tls_reactor) { tls_reactor = r; }
Reactor::EnterGuard::~EnterGuard() { tls_reactor = previous_; }

ScheduledIo* Reactor::register_fd(int fd, std::error_code& ec) {
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
    if (backend_watch(poll_fd_, fd, io) < 0) {
        ec = std::error_code(errno, std::generic_category());
        std::lock_guard lock(regs_mu_);
        live_.erase(io);
        delete io;
        return nullptr;
    }
    ec.clear();
    return io;
}

void Reactor::deregister(int fd, ScheduledIo* io) {
    backend_unwatch(poll_fd_, fd);
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
    for (Waker& w : due) std::move(w).wake();
}

std::optional<std::chrono::nanoseconds> Reactor::wait_for_next_timer() {
    std::lock_guard lock(timers_mu_);
    TimerEntry* top = timers_.top();
    if (!top) return std::nullopt;
    return std::max(std::chrono::nanoseconds(0), saturating_sub(top->deadline, clock_.now()));
}

void Reactor::turn(std::optional<std::chrono::nanoseconds> max_wait) {
    free_released();

    // Announce "about to sleep" before reading the heap: a timer inserted
    // after our read then sees a later wake-up time than its own and unparks us.
    wake_at_ns_.store(INT64_MAX, std::memory_order_seq_cst);
    std::optional<std::chrono::nanoseconds> wait = wait_for_next_timer();
    // A blocking task holds a paused clock (Tokio's inhibit_auto_advance):
    // the turn then waits in real time, and jumps the clock only if no
    // blocking task was there when it began nor when it ended.
    bool paused = clock_.is_paused() && auto_advance_inhibitors_.load(std::memory_order_acquire) == 0;
    std::optional<std::chrono::nanoseconds> timer_wait = wait;
    if (paused && wait) wait = std::chrono::nanoseconds(0);  // look at I/O, then auto-advance
    if (max_wait && (!wait || *max_wait < *wait)) wait = max_wait;

    int timeout_ms = -1;
    if (wait) {
        // Round up: waking before the deadline would only spin.
        auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wait).count();
        timeout_ms = int(std::min<std::int64_t>(ms, INT_MAX));
    }
    // On the clock's time line, where timer deadlines are (it may be offset
    // from steady_clock after a pause and resume).
    if (wait)
        wake_at_ns_.store(since_epoch_ns(saturating_add(clock_.now(), *wait)),
                          std::memory_order_seq_cst);

    std::vector<Event> events;
    backend_wait(poll_fd_, wakeup_fd_, timeout_ms, events);
    wake_at_ns_.store(INT64_MIN, std::memory_order_release);  // awake: no unpark needed for timers

    for (const Event& e : events) static_cast<ScheduledIo*>(e.data)->set_readiness_and_wake(e.ready);

    // Paused clock with nothing else to do: jump to the next timer (Tokio's auto-advance).
    if (paused && events.empty() && timer_wait && (!max_wait || max_wait->count() != 0) &&
        auto_advance_inhibitors_.load(std::memory_order_acquire) == 0)
        clock_.auto_advance(*timer_wait);
    fire_due_timers();
}

void Reactor::unpark() { backend_wake(wakeup_fd_, poll_fd_); }

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
