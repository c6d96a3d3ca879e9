#pragma once
/// net::serve: the accept loop of a server, with a graceful shutdown (the
/// part of axum's `serve(listener, app).with_graceful_shutdown(signal)` that
/// is not HTTP; Tokio's mini-redis `run` with its shutdown and semaphore).
///
///     net::ServeOptions options;                       // SIGINT/SIGTERM, 2 s of grace, no cap
///     CancellationToken stop = options.shutdown;       // the connections watch it
///     auto server = net::serve(std::move(listener), [stop](net::TcpStream s, net::SocketAddr) {
///         return Connection(std::move(s), stop);       // any future: one task per connection
///     }, options).unwrap();                            // the signal handlers are in from here on
///     std::printf("listening\n");
///     net::ServeSummary done = rt.block_on(std::move(server));
///
/// `serve(listener, handler, options)` installs a listener for each of
/// `options.signals` at once (so a signal sent once it returned never meets
/// the default, fatal, action) and is Err only when that fails. It takes any
/// listener with `poll_accept` (TcpListener, UnixListener). The Serve it
/// gives is a future of a ServeSummary, in two phases:
///
/// - Serving: each poll first looks at the signals and at `options.shutdown`,
///   then collects the connection tasks that ended, then accepts. Each
///   accepted connection goes to `handler(stream, peer)`, called on the
///   serving task, and the future it returns is spawned (into a JoinSet on
///   the current runtime); its output is dropped, so a connection that fails
///   or throws ends alone. With `max_connections`, accepting waits while that
///   many are live: newcomers wait in the kernel's backlog, as behind
///   mini-redis's semaphore, and the serving task is woken when one ends.
///   With `reject_when_full` as well, they are accepted and turned away
///   instead, as redis-server answers past its maxclients: each is sent that
///   reply, half-closed, and drained until it closes (a second at most; see
///   net/detail/reject.hpp), on a task of its own outside the count, while
///   the live connections go on being served. At most `max_connections`
///   rejections run at once; past that, newcomers wait in the backlog again.
///   Descriptor shortage (EMFILE...) pauses accepting inside the listener
///   (see net/detail/accept_backoff), which also skips ECONNABORTED; any
///   other failed accept (EPERM from a firewall, EPROTO, ENETDOWN...) is
///   about one connection: it is logged (POLLEN_LOG=warn) and accepting goes
///   on at once (axum sleeps a second after such errors).
/// - Draining, after a signal or a cancelled token: the listener is closed
///   (new clients are refused), `options.shutdown` is cancelled (so every
///   connection holding it, or a child of it, ends at its next safe point),
///   `options.on_shutdown(signal, live)` is called, rejections under way
///   are aborted, and the connections get
///   `options.grace` to end. Those still running then are aborted, and Serve
///   is Ready once every task is gone (not merely told to go).
///
/// Wakers: the signals (from the thread driving the reactor), the token
/// (from the cancelling thread), the listener and the grace timer (the
/// reactor), and the connection tasks ending (their workers).
///
/// Destroying a Serve mid-way closes the listener, unregisters its signal
/// listeners and aborts every connection task (the JoinSet's rule: they are
/// cancelled at their next scheduling point, not waited for); it does not
/// cancel `options.shutdown`. It must not be moved after its first poll.
/// Distinct objects: safe (two Serves listening to one signal both stop on
/// it); shared objects: unsafe (one task polls it; the handler and
/// on_shutdown run on that task).

#include <atomic>
#include <cassert>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/future_ext.hpp"
#include "../core/io/error.hpp"
#include "../core/map.hpp"
#include "../reactor/instant.hpp"
#include "../reactor/signal.hpp"
#include "../reactor/sleep.hpp"
#include "../runtime/join_set.hpp"
#include "../sync/cancellation_token.hpp"
#include "detail/reject.hpp"

namespace pollen::net {

/// How a Serve stops. Every field has a default; the token is a fresh one.
struct ServeOptions {
    /// How long the connections get to end once the shutdown began; 0 aborts them at once.
    time::Duration grace = std::chrono::seconds(2);
    /// At most this many live connections (0: no cap).
    std::size_t max_connections = 0;
    /// When set, the cap is read from here at each accept instead, so that
    /// it may change while serving (redis-server's CONFIG SET maxclients).
    /// Lowering it ends no live connection; raising it takes effect at the
    /// next accept, which the serving task tries when woken (a connection or
    /// a rejection ending, a client arriving with reject_when_full).
    std::shared_ptr<const std::atomic<std::size_t>> max_connections_source;
    /// Past max_connections: nullopt (the default), newcomers wait in the
    /// backlog until a connection ends; a string (possibly empty), each is
    /// accepted, sent it, and closed politely: "-ERR max number of clients
    /// reached\r\n" for a Redis server, a 503 answer for an HTTP one.
    std::optional<std::string> reject_when_full;
    /// The signals that begin the shutdown; empty: only the token does.
    std::vector<int> signals{SIGINT, SIGTERM};
    /// Cancelled by Serve when the shutdown begins; cancel it to begin it.
    CancellationToken shutdown;
    /// Called once when the shutdown begins, on the serving task: the
    /// signal (0 when the token began it) and the connections then live.
    std::function<void(int signal, std::size_t live)> on_shutdown;
};

/// What a Serve did, once it is over.
struct ServeSummary {
    std::size_t accepted = 0;  ///< connections given to the handler
    std::size_t aborted = 0;   ///< still running when the grace period ended
    std::size_t rejected = 0;  ///< accepted past max_connections and turned away (reject_when_full)
    int signal = 0;            ///< what began the shutdown; 0: the token
};

namespace detail {

/// Logs a failed accept other than a descriptor shortage (serve.cpp).
void log_accept_error(const io::Error& ec);

/// A connection task's output is of no interest to the server.
template <Future F>
auto discard_output(F fut) {
    if constexpr (std::is_void_v<output_t<F>>) return fut;
    else return pollen::map(std::move(fut), [](auto&&) {});
}

}  // namespace detail

template <class L, class H>
class Serve;

/// Starts listening for `options.signals` and gives the server future (see
/// above); Err when a signal listener cannot be installed.
template <class L, class H>
io::Result<Serve<L, H>> serve(L listener, H handler, ServeOptions options = {});

template <class L, class H>
class Serve : public FutureExt<Serve<L, H>> {
    // poll_accept gives Poll<io::Result<std::pair<Stream, Addr>>>.
    using AcceptPoll = decltype(std::declval<L&>().poll_accept(std::declval<Context&>()));
    using Accepted = typename AcceptPoll::Output::value_type;
    using Stream = typename Accepted::first_type;
    using Addr = typename Accepted::second_type;
    static_assert(std::is_invocable_v<H&, Stream, Addr>,
                  "pollen::net::serve: the handler is called as handler(stream, peer_address) for each "
                  "connection");
    using Conn = std::invoke_result_t<H&, Stream, Addr>;
    static_assert(is_future_v<Conn>,
                  "pollen::net::serve: the handler must return a future (the connection's task), not run "
                  "the connection itself");

public:
    using Output = ServeSummary;

    Poll<ServeSummary> poll(Context& cx) {
        pin_.on_poll(this);
        assert(phase_ != Phase::kDone && "pollen: Serve polled after it completed");
        if (phase_ == Phase::kServing) {
            if (!shutdown_requested(cx)) {
                serve_connections(cx);
                return pending;
            }
            begin_shutdown();
        }
        if (phase_ == Phase::kDraining) {
            if (all_ended(cx)) return finish();
            if (grace_->poll(cx).is_pending()) return pending;
            summary_.aborted = conns_.len();
            conns_.abort_all();
            phase_ = Phase::kAborting;
        }
        if (!all_ended(cx)) return pending;  // the aborted tasks are being destroyed
        return finish();
    }

    /// Connection tasks not yet collected (those that ended are collected
    /// at each poll).
    std::size_t live() const { return conns_.len(); }
    /// The token the connections watch (`options.shutdown`).
    const CancellationToken& shutdown_token() const { return options_.shutdown; }

private:
    template <class L2, class H2>
    friend io::Result<Serve<L2, H2>> serve(L2 listener, H2 handler, ServeOptions options);

    enum class Phase { kServing, kDraining, kAborting, kDone };

    Serve(L listener, H handler, ServeOptions options, std::vector<signal::Signal> signals)
        : listener_(std::move(listener)), handler_(std::move(handler)), options_(std::move(options)),
          signals_(std::move(signals)), cancelled_(options_.shutdown.cancelled()) {
        if (options_.reject_when_full)
            reject_reply_ = std::make_shared<const std::string>(*options_.reject_when_full);
    }

    /// How long a rejected connection may take to read its reply and close.
    static constexpr time::Duration kRejectLinger = std::chrono::seconds(1);

    bool shutdown_requested(Context& cx) {
        for (auto& s : signals_) {
            // Ready(nullopt), the runtime gone, ends serving as well.
            if (s.poll_recv(cx).is_ready()) {
                summary_.signal = s.signo();
                return true;
            }
        }
        return cancelled_.poll(cx).is_ready();
    }

    void serve_connections(Context& cx) {
        for (;;) {
            // Collecting after each spawn also hands the new task our waker:
            // a connection that ends must wake us when the cap holds accepting back.
            (void)all_ended(cx);
            const std::size_t cap = options_.max_connections_source
                                        ? options_.max_connections_source->load(std::memory_order_relaxed)
                                        : options_.max_connections;
            bool full = cap != 0 && conns_.len() >= cap;
            if (full && (!reject_reply_ || rejects_.len() >= cap)) return;
            auto p = listener_->poll_accept(cx);
            if (p.is_pending()) return;
            auto r = p.take();
            if (r.is_err()) {
                detail::log_accept_error(r.error());
                continue;
            }
            auto& [stream, peer] = r.value();
            if (full) {
                rejects_.spawn(detail::Reject<Stream>(std::move(stream), reject_reply_, kRejectLinger));
                ++summary_.rejected;
                continue;
            }
            conns_.spawn(detail::discard_output(std::invoke(handler_, std::move(stream), std::move(peer))));
            ++summary_.accepted;
        }
    }

    void begin_shutdown() {
        phase_ = Phase::kDraining;
        listener_.reset();  // new clients are refused from now on
        options_.shutdown.cancel();
        rejects_.abort_all();  // nothing to finish there: they were never served
        if (options_.on_shutdown) options_.on_shutdown(summary_.signal, conns_.len());
        grace_.emplace(time::sleep(options_.grace));
    }

    /// Collects the ended tasks, connections and rejections; true once none
    /// is left (else the sets keep the waker).
    bool all_ended(Context& cx) {
        bool conns_gone = collect(conns_, cx);
        return collect(rejects_, cx) && conns_gone;
    }

    static bool collect(JoinSet<void>& set, Context& cx) {
        for (;;) {
            auto p = set.poll_join_next(cx);
            if (p.is_pending()) return false;
            if (!p.value()) return true;
        }
    }

    Poll<ServeSummary> finish() {
        phase_ = Phase::kDone;
        return Ready<ServeSummary>{summary_};
    }

    std::optional<L> listener_;
    H handler_;
    ServeOptions options_;
    std::vector<signal::Signal> signals_;
    WaitForCancellation cancelled_;
    JoinSet<void> conns_;
    JoinSet<void> rejects_;                             // turned away past the cap; not counted in live()
    std::shared_ptr<const std::string> reject_reply_;   // options_.reject_when_full, shared with those tasks
    std::optional<time::Sleep> grace_;
    ServeSummary summary_;
    Phase phase_ = Phase::kServing;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <class L, class H>
io::Result<Serve<L, H>> serve(L listener, H handler, ServeOptions options) {
    std::vector<signal::Signal> signals;
    signals.reserve(options.signals.size());
    for (int signo : options.signals) {
        auto s = signal::signal(signo);
        if (s.is_err()) return Err(s.error());
        signals.push_back(std::move(s).value());
    }
    return Ok(Serve<L, H>(std::move(listener), std::move(handler), std::move(options), std::move(signals)));
}

}  // namespace pollen::net
