// pollen::signal: the process-wide handler, the listener registry and the
// per-reactor drivers of the self-pipe (see detail/signal_registry.hpp).
#include "signal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <utility>
#include <vector>

#include "../core/coop.hpp"
#include "detail/signal_registry.hpp"
#include "detail/reactor.hpp"

namespace pollen::signal {

namespace detail {

namespace {

// Touched by the handler: constant-initialized, never destroyed, so a signal
// arriving during static destruction still finds them. The write end is set
// before any handler is installed (sigaction orders the two).
std::atomic<bool> g_pending[NSIG];
std::atomic<int> g_write_fd{-1};

extern "C" void on_signal(int signo) {
    int saved = errno;  // the interrupted code may be about to read errno
    if (signo > 0 && signo < NSIG) g_pending[signo].store(true, std::memory_order_release);
    int fd = g_write_fd.load(std::memory_order_relaxed);
    if (fd >= 0) {
        char byte = static_cast<char>(signo);
        // A full pipe already holds a wake-up; the flag carries the delivery.
        ssize_t rc = ::write(fd, &byte, 1);
        (void)rc;
    }
    errno = saved;
}

struct Registry {
    std::mutex mu;
    int read_fd = -1;
    bool installed[NSIG] = {};
    std::vector<Listener*> listeners;
    std::vector<std::pair<pollen::detail::Reactor*, std::weak_ptr<Driver>>> drivers;
};

// Leaked on purpose: handlers and drivers may outlive static destruction order.
Registry& registry() {
    static Registry* r = new Registry;
    return *r;
}

bool forbidden(int signo) {
    return signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP || signo == SIGILL ||
           signo == SIGFPE || signo == SIGSEGV || signo == SIGBUS;
}

std::error_code last_error() { return std::error_code(errno, std::generic_category()); }

// Under r.mu.
std::error_code ensure_pipe(Registry& r) {
    if (r.read_fd >= 0) return {};
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) return last_error();
    r.read_fd = fds[0];
    g_write_fd.store(fds[1], std::memory_order_release);
    return {};
}

}  // namespace

// ------------------------------------------------------------------ driver
struct Driver::Wake {
    std::weak_ptr<Driver> driver;
    void wake() {
        if (std::shared_ptr<Driver> d = driver.lock()) d->drive();
    }
};

std::shared_ptr<Driver> Driver::create(pollen::detail::Reactor* reactor, int pipe_read_fd,
                                       std::error_code& ec) {
    int fd = ::fcntl(pipe_read_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        ec = last_error();
        return nullptr;
    }
    auto d = std::make_shared<Driver>();
    {
        pollen::detail::Reactor::EnterGuard enter(reactor);
        d->io_ = pollen::detail::IoSource(fd, ec);
    }
    if (ec) return nullptr;
    // The reactor keeps a clone of this waker in the pipe's registration; a
    // strong reference there would keep the driver (and the reactor) alive forever.
    d->waker_ = waker_from(std::make_shared<Wake>(Wake{d}));
    return d;
}

void Driver::drive() {
    bool closed_now = false;
    {
        std::lock_guard lock(mu_);
        if (closed_.load(std::memory_order_relaxed)) return;
        // Runs on the reactor's thread or inside a task's poll; the pipe must be
        // drained to EAGAIN whatever budget that task has left.
        coop::BudgetScope unconstrained(-1);
        Context cx(waker_);
        char buf[256];
        int fd = io_.fd();
        for (;;) {
            auto p = io_.poll_io(cx, pollen::detail::Direction::Read,
                                 [&] { return ::read(fd, buf, sizeof buf); });
            if (p.is_pending()) break;  // drained, and re-armed with waker_
            auto r = p.take();
            if (r.is_err() || r.value() == 0) {
                closed_.store(true, std::memory_order_release);
                closed_now = true;
                break;
            }
        }
    }
    broadcast();
    if (closed_now) broadcast_closed(this);
}

// ------------------------------------------------------------------ registry
std::error_code register_listener(Listener* l) {
    if (forbidden(l->signo)) return std::make_error_code(std::errc::invalid_argument);
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    if (std::error_code ec = ensure_pipe(r)) return ec;
    if (!r.installed[l->signo]) {
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        if (::sigaction(l->signo, &sa, nullptr) < 0) return last_error();
        r.installed[l->signo] = true;
    }
    r.listeners.push_back(l);
    return {};
}

void unregister_listener(Listener* l) {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    std::erase(r.listeners, l);
}

void attach_driver(Listener& l) {
    pollen::detail::Reactor* reactor = pollen::detail::Reactor::current();
    if (!reactor)
        throw std::logic_error("pollen::signal: a Signal was polled outside a runtime");
    Registry& r = registry();
    int read_fd;
    {
        std::lock_guard lock(r.mu);
        std::erase_if(r.drivers, [](const auto& e) { return e.second.expired(); });
        for (const auto& [key, weak] : r.drivers)
            if (key == reactor) {
                l.driver = weak.lock();
                return;
            }
        read_fd = r.read_fd;
    }
    // Created outside the lock: arming it broadcasts, which takes the lock.
    std::error_code ec;
    std::shared_ptr<Driver> d = Driver::create(reactor, read_fd, ec);
    if (!d) throw std::system_error(ec, "pollen::signal: registering the signal pipe");
    {
        std::lock_guard lock(r.mu);
        for (const auto& [key, weak] : r.drivers)
            if (key == reactor)
                if (std::shared_ptr<Driver> other = weak.lock()) {
                    l.driver = std::move(other);  // another thread won the race; ours is dropped
                    break;
                }
        if (!l.driver) {
            r.drivers.emplace_back(reactor, d);
            l.driver = d;
        }
    }
    // Arms the registration and delivers signals that arrived while no
    // reactor watched the pipe.
    l.driver->drive();
}

void broadcast() {
    std::vector<Waker> wake;
    {
        Registry& r = registry();
        std::lock_guard lock(r.mu);
        for (int signo = 1; signo < NSIG; ++signo) {
            if (!r.installed[signo] || !g_pending[signo].load(std::memory_order_relaxed)) continue;
            if (!g_pending[signo].exchange(false, std::memory_order_acq_rel)) continue;
            for (Listener* l : r.listeners) {
                if (l->signo != signo) continue;
                l->count.fetch_add(1, std::memory_order_release);
                if (std::optional<Waker> w = l->waker.take()) wake.push_back(std::move(*w));
            }
        }
    }
    // Outside the lock: a waker may run arbitrary code.
    for (Waker& w : wake) std::move(w).wake();
}

void broadcast_closed(const Driver* d) {
    std::vector<Waker> wake;
    {
        Registry& r = registry();
        std::lock_guard lock(r.mu);
        for (Listener* l : r.listeners)
            if (l->driver.get() == d)
                if (std::optional<Waker> w = l->waker.take()) wake.push_back(std::move(*w));
    }
    for (Waker& w : wake) std::move(w).wake();
}

std::size_t listener_count(int signo) {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    return static_cast<std::size_t>(
        std::count_if(r.listeners.begin(), r.listeners.end(), [&](Listener* l) { return l->signo == signo; }));
}

}  // namespace detail

// ------------------------------------------------------------------ Signal
Signal::Signal(int signo, std::unique_ptr<detail::Listener> l) : signo_(signo), listener_(std::move(l)) {}
Signal::Signal(Signal&& other) noexcept
    : signo_(other.signo_), listener_(std::move(other.listener_)) {}
Signal& Signal::operator=(Signal&& other) noexcept {
    if (this != &other) {
        if (listener_) detail::unregister_listener(listener_.get());
        signo_ = other.signo_;
        listener_ = std::move(other.listener_);
    }
    return *this;
}
Signal::~Signal() {
    if (listener_) detail::unregister_listener(listener_.get());
}

io::Result<Signal> signal(int signo) {
    // Before the handler is installed: a real signal would make a simulation's run depend on the OS.
    pollen::detail::Reactor::refuse_real_io_in_simulation("signal::signal (and ctrl_c)");
    auto l = std::make_unique<detail::Listener>();
    l->signo = signo;
    if (std::error_code ec = detail::register_listener(l.get())) return Err(ec);
    Signal s(signo, std::move(l));
    // Attaching now, when a runtime is current, spares the first poll the work.
    if (pollen::detail::Reactor::current()) {
        try {
            detail::attach_driver(*s.listener_);
        } catch (const std::system_error& e) {
            return Err(e.code());
        }
    }
    return Ok(std::move(s));
}

namespace {
bool take_one(std::atomic<std::uint64_t>& count) {
    std::uint64_t n = count.load(std::memory_order_acquire);
    while (n > 0)
        if (count.compare_exchange_weak(n, n - 1, std::memory_order_acq_rel, std::memory_order_acquire))
            return true;
    return false;
}
}  // namespace

Poll<std::optional<Unit>> Signal::poll_recv(Context& cx) {
    using Out = std::optional<Unit>;
    if (!listener_) return Ready<Out>{Out()};
    detail::Listener& l = *listener_;
    if (!l.driver) detail::attach_driver(l);
    if (!coop::poll_proceed(cx)) return pending;
    if (take_one(l.count)) return Ready<Out>{Out(Unit{})};
    if (l.driver->is_closed()) return Ready<Out>{Out()};
    l.waker.register_waker(cx.waker());
    // A broadcast between the first check and the registration found no waker.
    if (take_one(l.count)) return Ready<Out>{Out(Unit{})};
    if (l.driver->is_closed()) return Ready<Out>{Out()};
    coop::refund();
    return pending;
}

Poll<std::optional<int>> Signal::poll_next(Context& cx) {
    auto p = poll_recv(cx);
    if (p.is_pending()) return pending;
    if (!p.take()) return Ready<std::optional<int>>{std::optional<int>()};
    return Ready<std::optional<int>>{std::optional<int>(signo_)};
}

// ------------------------------------------------------------------ ctrl_c
CtrlC::CtrlC() {
    auto s = signal(SIGINT);
    if (s.is_ok()) signal_.emplace(std::move(s).value());
    else error_ = s.error();
}

Poll<CtrlC::Output> CtrlC::poll(Context& cx) {
    if (!signal_) return Ready<Output>{Output(Err(error_))};
    auto p = signal_->poll_recv(cx);
    if (p.is_pending()) return pending;
    if (!p.take()) return Ready<Output>{Output(Err(std::make_error_code(std::errc::operation_canceled)))};
    return Ready<Output>{Output(Ok())};
}

}  // namespace pollen::signal
