#pragma once
/// pollen::signal: Unix signals as futures and streams (Tokio's `tokio::signal`).
///
///     auto term = pollen::signal::signal(SIGTERM).unwrap();   // a Signal listener
///     ... term.recv() ...                                     // a future: the next delivery
///     ... pollen::signal::ctrl_c() ...                        // a future: the next SIGINT
///
/// `signal(n)` installs one process-wide handler for `n` (once; it is never
/// uninstalled, so the default action, e.g. SIGINT terminating the process, is
/// gone from then on, as in Tokio). The handler only sets a flag and writes a
/// byte to a self-pipe; the pipe's read end is registered with the reactor of
/// each runtime that has listeners, and the thread driving that reactor counts
/// the delivery into every live listener of `n` and wakes its task. Several
/// listeners of one signal each receive every delivery; deliveries that arrive
/// before a listener has seen the previous one may coalesce (the OS coalesces
/// pending signals too), so one `recv()` may stand for several signals.
///
/// A Signal counts deliveries from its creation, whether or not a `recv()` is
/// pending, and may be created outside a runtime (it attaches to the runtime
/// that first polls it). Destroying it unregisters it; destroying a `Recv`
/// mid-way loses nothing. When the runtime it is attached to shuts down,
/// `recv()` answers nullopt (Tokio's `None`). Polling it outside any runtime
/// throws std::logic_error. SIGKILL, SIGSTOP, SIGILL, SIGFPE, SIGSEGV and
/// SIGBUS cannot be listened to (Err(invalid_argument)).

#include <csignal>
#include <memory>
#include <optional>
#include <string>

#include "../core/future.hpp"
#include "../core/future_ext.hpp"
#include "../core/io/error.hpp"
#include "../core/stream/stream_ext.hpp"

namespace pollen::signal {

namespace detail {
struct Listener;
}

class Signal;

/// The future of `Signal::recv()`: ready with Unit for the next delivery, or
/// nullopt once the runtime's reactor is gone. It borrows the Signal, which
/// must outlive it.
class Recv : public FutureExt<Recv> {
public:
    using Output = std::optional<Unit>;
    explicit Recv(Signal& s) : signal_(&s) {}
    Poll<Output> poll(Context& cx);
    /// For task dumps (core/trace.hpp): "signal 10".
    void describe(TraceVisitor& v) const;

private:
    Signal* signal_;
};

/// A listener for one signal number (Tokio's `unix::Signal`). Movable; its
/// state lives on the heap, so it may be moved even after being polled. Also a
/// Stream of the signal number, one item per delivery (tokio-stream's
/// `SignalStream` without the wrapper), with StreamExt's methods:
/// `sig.next()` waits for the next delivery as `recv()` does, and
/// `std::move(sig).take(3)` etc. consume the listener.
class Signal : public StreamExt<Signal> {
public:
    using Item = int;

    Signal(Signal&&) noexcept;
    Signal& operator=(Signal&&) noexcept;
    ~Signal();

    /// The next delivery (see Recv).
    Recv recv() { return Recv(*this); }
    /// Ready(Unit) when a delivery is pending (consuming it), Ready(nullopt)
    /// once the runtime is gone, else Pending with the waker stored.
    Poll<std::optional<Unit>> poll_recv(Context& cx);
    /// The Stream face of poll_recv: the signal number per delivery.
    Poll<std::optional<int>> poll_next(Context& cx);

    int signo() const { return signo_; }

private:
    friend io::Result<Signal> signal(int signo);
    Signal(int signo, std::unique_ptr<detail::Listener> l);

    int signo_ = 0;
    std::unique_ptr<detail::Listener> listener_;
};

/// Starts listening for `signo`, installing the process-wide handler on first
/// use. Err(invalid_argument) for signals that cannot be caught or the
/// fault signals; other errors come from sigaction/pipe/the reactor.
io::Result<Signal> signal(int signo);

inline Poll<std::optional<Unit>> Recv::poll(Context& cx) { return signal_->poll_recv(cx); }
inline void Recv::describe(TraceVisitor& v) const { v.waits_on("signal " + std::to_string(signal_->signo())); }

/// The future of `ctrl_c()`: Ok at the next SIGINT after its creation;
/// Err when the listener could not be installed or the runtime shut down.
/// Destroying it unregisters its listener.
class CtrlC : public FutureExt<CtrlC> {
public:
    using Output = io::Result<void>;
    CtrlC();
    Poll<Output> poll(Context& cx);

private:
    std::optional<Signal> signal_;
    std::error_code error_;
};

/// Completes on the next SIGINT (Tokio's `signal::ctrl_c`). The listener is
/// created here, not at the first poll, so a Ctrl-C pressed between the two is
/// not lost, and the default "terminate" action is already replaced.
inline CtrlC ctrl_c() { return CtrlC(); }

}  // namespace pollen::signal
