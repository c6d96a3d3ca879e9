// net::serve: one task per accepted connection, the connection cap (and the
// wake that lifts it when a connection ends), the shutdown begun by the
// token or by a signal, the drain that lets connections finish within the
// grace period and cancels the rest after it (on the paused clock), and
// destruction at every point. Everything runs on a current-thread runtime:
// the clients are pollen sockets awaited with block_on, during which the
// server and its connections run; nothing asserts wall-clock time.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>
#include <pollen/reactor/detail/signal_registry.hpp>

#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace pollen::net;
using namespace std::chrono_literals;
using pollen::testing::cancel_at_every_point;

namespace {

/// Connection tasks made and ended (the current-thread runtime runs them all
/// on the test's thread).
struct Counters {
    int started = 0;
    int ended = 0;
};

/// Counts a connection's end when its task's future is destroyed, done or not.
struct EndGuard {
    std::shared_ptr<Counters> counters;
    EndGuard(std::shared_ptr<Counters> c) : counters(std::move(c)) { ++counters->started; }
    EndGuard(EndGuard&&) noexcept = default;
    ~EndGuard() {
        if (counters) ++counters->ended;
    }
};

/// `fut` as a connection task that owns `stream` and is counted.
template <Future F>
auto tracked(F fut, std::shared_ptr<Counters> c, std::optional<TcpStream> stream = std::nullopt) {
    return pollen::map(std::move(fut), [end = EndGuard(std::move(c)), s = std::move(stream)](auto&&...) {});
}

/// Echoes until the client closes or the token is cancelled.
auto echo(TcpStream stream, const CancellationToken& stop) {
    return stop.run_until_cancelled(async_move(std::move(stream), [](TcpStream& s) { return io::copy(s, s); }));
}

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

/// A plain blocking connect: true if refused (nobody listens there).
bool refused(const SocketAddr& addr) {
    int fd = ::socket(addr.domain(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage ss;
    socklen_t len = addr.to_sockaddr(ss);
    bool r = ::connect(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0 && errno == ECONNREFUSED;
    ::close(fd);
    return r;
}

TcpListener bind_loopback() { return TcpListener::bind(SocketAddr(IpAddr::localhost_v4(), 0)).unwrap(); }

/// What every test sets up: a current-thread runtime, entered; a loopback
/// listener and its address; the connection counters; options without
/// signals (the suite's own SIGINT/SIGTERM stay untouched) and their token.
class NetServe : public ::testing::Test {
protected:
    explicit NetServe(bool paused_clock = false)
        : rt(Builder::new_current_thread().enable_all().start_paused(paused_clock).build()) {
        options.signals.clear();
    }

    /// The connection handler most tests use: a counted echo that stops with the token.
    auto echo_handler() {
        return [c = c, stop = stop](TcpStream s, SocketAddr) { return tracked(echo(std::move(s), stop), c); };
    }
    /// serve() on the listener with `options` (taken as they are now).
    template <class H>
    auto make_server(H handler) {
        return serve(std::move(listener).value(), std::move(handler), options).unwrap();
    }
    /// The server as a task of rt, which runs it during each block_on.
    template <class H>
    auto spawn_server(H handler) {
        return rt.spawn(make_server(std::move(handler)));
    }
    /// Cancels the token and waits for the server to finish.
    template <class J>
    auto stop_and_join(J server) {
        stop.cancel();
        return rt.block_on(std::move(server));
    }

    TcpStream connect() { return rt.block_on(TcpStream::connect(addr)).unwrap(); }

    /// Writes `text` and reads it back; "" when the stream ended first.
    std::string round_trip(TcpStream& s, const std::string& text) {
        if (rt.block_on(io::write_all(s, bytes(text))).is_err()) return "";
        std::string got(text.size(), '\0');
        auto r = rt.block_on(io::read_exact(s, std::as_writable_bytes(std::span(got.data(), got.size()))));
        return r.is_ok() ? got : "";
    }

    /// True when the peer closed the stream (a read gives 0 or a reset).
    bool closed_by_server(TcpStream& s) {
        std::array<std::byte, 16> buf{};
        auto r = rt.block_on(io::read(s, buf));
        return r.is_err() || r.value() == 0;
    }

    Runtime rt;
    EnterGuard inside{rt.enter()};  // the listener registers with rt's reactor
    std::optional<TcpListener> listener{bind_loopback()};
    SocketAddr addr = listener->local_addr().value();
    std::shared_ptr<Counters> c = std::make_shared<Counters>();
    ServeOptions options;
    CancellationToken stop = options.shutdown;
};

/// The drain tests: the same on a paused clock, so the grace period is exact.
class NetServeDrain : public NetServe {
protected:
    NetServeDrain() : NetServe(/*paused_clock=*/true) {}
};

}  // namespace

TEST_F(NetServe, EachConnectionIsServedByItsOwnTaskUntilTheTokenStopsThem) {
    auto server = spawn_server(echo_handler());

    TcpStream a = connect();
    TcpStream b = connect();
    // b is answered while a is connected and idle: one task per connection.
    EXPECT_EQ(round_trip(b, "second"), "second");
    EXPECT_EQ(round_trip(a, "first"), "first");
    EXPECT_EQ(c->started, 2);

    auto done = stop_and_join(std::move(server));
    ASSERT_TRUE(done.is_ok());
    EXPECT_EQ(done.value().accepted, 2u);
    EXPECT_EQ(done.value().aborted, 0u);
    EXPECT_EQ(done.value().signal, 0);
    EXPECT_EQ(c->ended, 2);
    EXPECT_TRUE(closed_by_server(a));
    EXPECT_TRUE(closed_by_server(b));
}

TEST_F(NetServe, TheCapHoldsNewcomersInTheBacklogUntilAConnectionEnds) {
    options.max_connections = 1;
    auto server = spawn_server(echo_handler());

    std::optional<TcpStream> a(connect());
    EXPECT_EQ(round_trip(*a, "a"), "a");
    TcpStream b = connect();  // completes in the kernel's backlog
    ASSERT_TRUE(rt.block_on(io::write_all(b, bytes("b"))).is_ok());
    EXPECT_EQ(round_trip(*a, "again"), "again");  // the server ran meanwhile
    EXPECT_EQ(c->started, 1) << "a second connection was accepted over the cap";

    // a's end wakes the server (no other event will), which then takes b.
    a.reset();
    std::string got(1, '\0');
    ASSERT_TRUE(rt.block_on(io::read_exact(b, std::as_writable_bytes(std::span(got.data(), 1)))).is_ok());
    EXPECT_EQ(got, "b");
    EXPECT_EQ(c->started, 2);

    auto done = stop_and_join(std::move(server));
    ASSERT_TRUE(done.is_ok());
    EXPECT_EQ(done.value().accepted, 2u);
    EXPECT_EQ(c->ended, 2);
}

// With reject_when_full, a newcomer past the cap is not left in the backlog:
// it is accepted, told, and closed politely (its own request read and
// dropped, so no reset destroys the reply), while the live connection goes
// on being served and is the only one the handler saw.
TEST_F(NetServe, RejectWhenFullTurnsNewcomersAwayWithTheReplyWhileTheLiveOnesAreServed) {
    options.max_connections = 1;
    options.reject_when_full = "-ERR max number of clients reached\r\n";
    auto server = spawn_server(echo_handler());

    std::optional<TcpStream> a(connect());
    EXPECT_EQ(round_trip(*a, "a"), "a");
    for (int i = 0; i < 3; ++i) {
        TcpStream b = connect();
        ASSERT_TRUE(rt.block_on(io::write_all(b, bytes("a request nobody will read\r\n"))).is_ok());
        std::string got;
        auto r = rt.block_on(io::read_to_string(b, got));
        EXPECT_TRUE(r.is_ok()) << "the reply must end in a close, not a reset";
        EXPECT_EQ(got, "-ERR max number of clients reached\r\n");
        EXPECT_EQ(round_trip(*a, "still served"), "still served");
    }
    EXPECT_EQ(c->started, 1) << "a rejected connection reached the handler";

    // Below the cap again, newcomers are served.
    a.reset();
    ASSERT_TRUE(test::run_until(rt, [&] { return c->ended == 1; }));
    TcpStream d = connect();
    EXPECT_EQ(round_trip(d, "d"), "d");

    auto done = stop_and_join(std::move(server));
    ASSERT_TRUE(done.is_ok());
    EXPECT_EQ(done.value().accepted, 2u);
    EXPECT_EQ(done.value().rejected, 3u);
    EXPECT_EQ(c->ended, 2);
}

// A cap from max_connections_source is read at each accept: raised, the
// next newcomer is served; lowered below the live count, no live connection
// ends, and newcomers are turned away again.
TEST_F(NetServe, ACapFromASharedSourceIsReadAtEachAccept) {
    auto cap = std::make_shared<std::atomic<std::size_t>>(1);
    options.max_connections = 100;  // ignored: the source rules
    options.max_connections_source = cap;
    options.reject_when_full = "full\r\n";
    auto server = spawn_server(echo_handler());
    auto turned_away = [&] {
        TcpStream b = connect();
        std::string got;
        EXPECT_TRUE(rt.block_on(io::read_to_string(b, got)).is_ok());
        return got == "full\r\n";
    };

    TcpStream a = connect();
    EXPECT_EQ(round_trip(a, "a"), "a");
    EXPECT_TRUE(turned_away());
    cap->store(2);
    TcpStream b = connect();
    EXPECT_EQ(round_trip(b, "b"), "b");
    cap->store(1);
    EXPECT_TRUE(turned_away());
    for (TcpStream* live : {&a, &b}) EXPECT_EQ(round_trip(*live, "again"), "again");  // neither was ended
    EXPECT_EQ(c->started, 2);
    EXPECT_EQ(stop_and_join(std::move(server)).unwrap().rejected, 2u);
}

TEST_F(NetServeDrain, DrainLetsConnectionsFinishWithinTheGracePeriod) {
    options.grace = 2s;
    std::vector<std::pair<int, std::size_t>> shutdowns;
    options.on_shutdown = [&](int signo, std::size_t live) { shutdowns.emplace_back(signo, live); };
    // Each connection, told to stop, needs one more second to finish.
    auto server = spawn_server([c = c, stop = stop](TcpStream s, SocketAddr) {
        return tracked(stop.cancelled().then([] { return time::sleep(1s); }), c, std::move(s));
    });

    TcpStream a = connect();
    TcpStream b = connect();
    ASSERT_TRUE(test::run_until(rt, [&] { return c->started == 2; }));

    time::Instant begun = time::Instant::now();
    auto done = stop_and_join(std::move(server));
    ASSERT_TRUE(done.is_ok());
    EXPECT_EQ(done.value().aborted, 0u);
    EXPECT_EQ(c->ended, 2);
    EXPECT_EQ(time::Instant::now() - begun, time::Duration(1s));  // the paused clock: no grace used up
    ASSERT_EQ(shutdowns.size(), 1u);
    EXPECT_EQ(shutdowns[0], (std::pair<int, std::size_t>(0, 2)));
    EXPECT_TRUE(closed_by_server(a));
    EXPECT_TRUE(closed_by_server(b));
}

TEST_F(NetServeDrain, AfterTheGracePeriodWhatIsLeftIsCancelledAndNewClientsAreRefused) {
    options.grace = 2s;
    bool refused_during_drain = false;
    options.on_shutdown = [&](int, std::size_t) { refused_during_drain = refused(addr); };
    // A connection that ignores the token.
    auto handler = [c = c](TcpStream s, SocketAddr) { return tracked(future::pending<void>(), c, std::move(s)); };
    int ended_when_ready = -1;
    auto server = rt.spawn(make_server(handler).map([&](ServeSummary s) {
        ended_when_ready = c->ended;
        return s;
    }));

    TcpStream a = connect();
    ASSERT_TRUE(test::run_until(rt, [&] { return c->started == 1; }));

    time::Instant begun = time::Instant::now();
    auto done = stop_and_join(std::move(server));
    ASSERT_TRUE(done.is_ok());
    EXPECT_EQ(done.value().accepted, 1u);
    EXPECT_EQ(done.value().aborted, 1u);
    EXPECT_EQ(ended_when_ready, 1) << "the server was Ready before its cancelled task was gone";
    EXPECT_EQ(time::Instant::now() - begun, time::Duration(2s));
    EXPECT_TRUE(refused_during_drain);
    EXPECT_TRUE(closed_by_server(a));
}

TEST_F(NetServeDrain, ZeroGraceCancelsAtOnce) {
    options.grace = 0s;
    auto server = spawn_server(
        [c = c](TcpStream s, SocketAddr) { return tracked(future::pending<void>(), c, std::move(s)); });
    TcpStream a = connect();
    ASSERT_TRUE(test::run_until(rt, [&] { return c->started == 1; }));

    time::Instant begun = time::Instant::now();
    auto done = stop_and_join(std::move(server));
    ASSERT_TRUE(done.is_ok());
    EXPECT_EQ(done.value().aborted, 1u);
    EXPECT_EQ(c->ended, 1);
    EXPECT_EQ(time::Instant::now(), begun);
}

TEST_F(NetServe, ASignalBeginsTheShutdownAndCancelsTheToken) {
    options.signals = {SIGUSR1};  // the suite's own SIGINT/SIGTERM stay untouched
    int seen = -1;
    options.on_shutdown = [&](int signo, std::size_t) { seen = signo; };
    auto made = serve(std::move(listener).value(), echo_handler(), options);
    ASSERT_TRUE(made.is_ok());
    // The listener is in from serve() on: a signal raised now is not lost.
    ASSERT_EQ(::raise(SIGUSR1), 0);
    auto done = rt.block_on(std::move(made).value());
    EXPECT_EQ(done.signal, SIGUSR1);
    EXPECT_EQ(seen, SIGUSR1);
    EXPECT_TRUE(stop.is_cancelled());
    EXPECT_TRUE(refused(addr));
}

TEST_F(NetServe, ASignalThatCannotBeListenedToIsAnError) {
    options.signals = {SIGKILL};
    auto made = serve(std::move(listener).value(), [](TcpStream, SocketAddr) { return future::ready(); }, options);
    ASSERT_TRUE(made.is_err());
    EXPECT_EQ(made.error(), std::errc::invalid_argument);
}

TEST_F(NetServe, ServesUnixListenersToo) {
    std::string path = "/tmp/pollen-serve-" + std::to_string(::getpid()) + ".sock";
    ::unlink(path.c_str());
    UnixListener unix_listener = UnixListener::bind(path).unwrap();
    auto handler = [stop = stop](UnixStream s, UnixSocketAddr) {
        return stop.run_until_cancelled(async_move(std::move(s), [](UnixStream& s) { return io::copy(s, s); }));
    };
    auto server = rt.spawn(serve(std::move(unix_listener), handler, options).unwrap());
    UnixStream client = rt.block_on(UnixStream::connect(path)).unwrap();
    ASSERT_TRUE(rt.block_on(io::write_all(client, bytes("unix"))).is_ok());
    std::string got(4, '\0');
    ASSERT_TRUE(rt.block_on(io::read_exact(client, std::as_writable_bytes(std::span(got.data(), 4)))).is_ok());
    EXPECT_EQ(got, "unix");
    auto done = stop_and_join(std::move(server));
    ASSERT_TRUE(done.is_ok());
    EXPECT_EQ(done.value().accepted, 1u);
    ::unlink(path.c_str());
}

// Destroyed at each point (before its first poll, serving, draining, and
// done), a Serve leaves no connection task running, no listening socket and
// no signal listener behind, and loses no waker while it runs.
TEST_F(NetServe, CancelAtEveryPointLeavesNothingBehind) {
    std::vector<TcpStream> clients;
    std::size_t signal_listeners = signal::detail::listener_count(SIGUSR2);
    options.signals = {SIGUSR2};
    auto r = cancel_at_every_point([&] { return make_server(echo_handler()); })
                 .setup([&] {
                     listener.emplace(bind_loopback());
                     addr = listener->local_addr().value();
                     options.shutdown = stop = CancellationToken();
                     *c = Counters{};
                     clients.clear();
                 })
                 .step([&](const pollen::testing::Step& s) {
                     // Two clients arrive, then the shutdown; each step runs
                     // the runtime until the server was woken.
                     if (s.index() < 2) {
                         int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                         sockaddr_storage ss;
                         socklen_t len = addr.to_sockaddr(ss);
                         ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&ss), len), 0);
                         clients.push_back(TcpStream::from_fd(fd).unwrap());
                     } else if (s.index() == 2) {
                         stop.cancel();
                     }
                     EXPECT_TRUE(test::run_until(rt, [&] { return s.woken_since_poll(); })) << "never woken";
                 })
                 .on_output([&](ServeSummary& done) { return done.accepted == 2 && done.aborted == 0; })
                 .invariant("no connection task outlives the server",
                            [&] { return test::run_until(rt, [&] { return c->ended == c->started; }); })
                 .invariant("the listener is closed", [&] { return refused(addr); })
                 .invariant("its signal listeners are gone",
                            [&] { return signal::detail::listener_count(SIGUSR2) == signal_listeners; })
                 .teardown([&] {
                     clients.clear();
                     listener.reset();
                     options.shutdown = stop = CancellationToken();
                 })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_GE(r.points, 5u) << r;
}
