// pollen::async_move(state..., fn), Rust's `async move { ... }` around a
// future that borrows: fn(state&...) runs at the first poll, its future is
// polled in place, the borrower dies before what it borrows (on completion
// and when destroyed mid-way), and a borrowing I/O future can be spawned
// with the stream it borrows: an in-memory duplex and a TCP loopback pair.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/async_move.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

namespace {

using Log = std::vector<std::string>;

/// State that records its destruction (moved-from ones say nothing).
struct Tracked {
    Log* log;
    std::string name;
    int value = 0;
    Tracked(Log* l, std::string n, int v = 0) : log(l), name(std::move(n)), value(v) {}
    Tracked(Tracked&& o) noexcept : log(std::exchange(o.log, nullptr)), name(std::move(o.name)), value(o.value) {}
    ~Tracked() {
        if (log) log->push_back("drop " + name);
    }
};

/// A borrowing future: pending until `*go` is set, then ready with the
/// borrowed state's value. Its destructor still reads the state, so
/// destroying it after the state would be a use-after-free (ASan).
class Borrowing : public FutureExt<Borrowing> {
public:
    using Output = int;
    Borrowing(Tracked& t, const bool* go) : t_(&t), go_(go) {}
    Borrowing(Borrowing&& o) noexcept : t_(std::exchange(o.t_, nullptr)), go_(o.go_) {}
    ~Borrowing() {
        if (t_) t_->log->push_back("drop future borrowing " + t_->name);
    }
    Poll<int> poll(Context&) {
        if (!*go_) return pending;
        return Ready<int>{t_->value};
    }

private:
    Tracked* t_;
    const bool* go_;
};

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

}  // namespace

// ------------------------------------------------------------------ by hand

TEST(AsyncMove, FnRunsAtTheFirstPollOnTheOwnedState) {
    int calls = 0;
    auto fut = async_move(20, std::string("ab"), [&calls](int& n, std::string& s) {
        ++calls;
        n += static_cast<int>(s.size());
        return future::ready(n);
    });
    static_assert(std::is_same_v<decltype(fut)::Output, int>);
    EXPECT_EQ(calls, 0);
    auto p = poll_once(fut);
    EXPECT_EQ(calls, 1);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), 22);
}

TEST(AsyncMove, TheInnerFutureIsPolledInPlaceUntilReady) {
    Log log;
    bool go = false;
    int calls = 0;
    CountingWaker cw;
    auto fut = async_move(Tracked(&log, "s", 7), [&](Tracked& t) {
        ++calls;
        return Borrowing(t, &go);
    });
    EXPECT_TRUE(poll_once(fut, cw).is_pending());
    EXPECT_TRUE(poll_once(fut, cw).is_pending());
    EXPECT_EQ(calls, 1);  // one inner future, polled again, not remade
    go = true;
    auto p = poll_once(fut, cw);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), 7);
}

TEST(AsyncMove, OnCompletionTheInnerFutureDiesThenTheStateBeforeTheOutputIsHandedOn) {
    Log log;
    bool go = true;
    auto fut = async_move(Tracked(&log, "s", 1), [&go](Tracked& t) { return Borrowing(t, &go); });
    auto p = poll_once(fut);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(log, (Log{"drop future borrowing s", "drop s"}));
}

TEST(AsyncMove, DestroyedMidWayTheInnerFutureDiesBeforeTheState) {
    Log log;
    bool go = false;
    {
        auto fut = async_move(Tracked(&log, "a"), Tracked(&log, "b"), [&go](Tracked& a, Tracked&) {
            return Borrowing(a, &go);
        });
        EXPECT_TRUE(poll_once(fut).is_pending());
        EXPECT_TRUE(log.empty());
    }
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[0], "drop future borrowing a");
    // The two state values go after it, in the order std::tuple destroys them.
    std::sort(log.begin() + 1, log.end());
    EXPECT_EQ(log, (Log{"drop future borrowing a", "drop a", "drop b"}));
}

TEST(AsyncMove, NeverPolledItDestroysOnlyTheState) {
    Log log;
    int calls = 0;
    {
        auto fut = async_move(Tracked(&log, "s"), [&calls](Tracked&) {
            ++calls;
            return future::ready(0);
        });
    }
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(log, Log{"drop s"});
}

TEST(AsyncMove, MoveOnlyStateIsMovedInAndAVoidOutputWorks) {
    auto owned = std::make_unique<int>(5);
    int* seen = nullptr;
    auto fut = async_move(std::move(owned), [&seen](std::unique_ptr<int>& p) {
        seen = p.get();
        return future::ready();
    });
    static_assert(std::is_void_v<decltype(fut)::Output>);
    EXPECT_EQ(owned, nullptr);
    EXPECT_TRUE(poll_once(fut).is_ready());
    EXPECT_NE(seen, nullptr);
}

TEST(AsyncMove, ItHasFutureExtsMethods) {
    auto fut = async_move(std::string("abc"), [](std::string& s) { return future::ready(s.size()); })
                   .map([](std::size_t n) { return n * 2; });
    EXPECT_EQ(poll_once(fut).value(), 6u);
}

TEST(AsyncMoveDeathTest, MovingItAfterTheFirstPollIsCaught) {
#if POLLEN_PIN_CHECKS
    bool go = false;
    Log log;
    EXPECT_DEATH(
        {
            auto fut = async_move(Tracked(&log, "s"), [&go](Tracked& t) { return Borrowing(t, &go); });
            (void)poll_once(fut);
            auto moved = std::move(fut);
        },
        "moved after its first poll");
#else
    GTEST_SKIP() << "pin checks are off in this build";
#endif
}

// ------------------------------------------------------------------ spawned with the stream it borrows

TEST(AsyncMoveIo, SpawnedCopyOwnsADuplexEndAndEchoesIt) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto [client, server] = io::duplex(16);  // small, so the echo goes round several times
    JoinHandle<io::Result<std::uint64_t>> echo =
        rt.spawn(async_move(std::move(server), [](io::DuplexStream& s) { return io::copy(s, s); }));

    const std::string msg(1000, 'x');
    std::string back;
    auto talk = async_move(std::move(client), [&](io::DuplexStream& c) {
        return join(io::write_all(c, bytes(msg)).and_then([&c] { return io::shutdown(c); }),
                    io::read_to_string(c, back));
    });
    auto [wrote, read] = rt.block_on(std::move(talk));
    EXPECT_TRUE(wrote.is_ok());
    ASSERT_TRUE(read.is_ok());
    EXPECT_EQ(back, msg);
    auto copied = rt.block_on(std::move(echo));
    ASSERT_TRUE(copied.is_ok());
    ASSERT_TRUE(copied.value().is_ok());
    EXPECT_EQ(*copied.value(), msg.size());
}

TEST(AsyncMoveIo, SpawnedCopyOwnsAnAcceptedTcpStreamAndEchoesIt) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).enable_all().build();
    auto bound = rt.block_on(lazy([] { return net::TcpListener::bind(net::SocketAddr(net::IpAddr::localhost_v4(), 0)); }));
    ASSERT_TRUE(bound.is_ok());
    net::TcpListener listener = std::move(bound).unwrap();
    net::SocketAddr addr = listener.local_addr().unwrap();

    // The server: accept one connection, then spawn an echo that owns it.
    auto server = rt.spawn(async_move(std::move(listener), [](net::TcpListener& l) {
        return l.accept().map([](io::Result<std::pair<net::TcpStream, net::SocketAddr>> r) {
            EXPECT_TRUE(r.is_ok());
            return pollen::spawn(async_move(std::move(r).unwrap().first,
                                            [](net::TcpStream& s) { return io::copy(s, s); }));
        });
    }));

    auto stream = rt.block_on(net::TcpStream::connect(addr));
    ASSERT_TRUE(stream.is_ok());
    const std::string msg = "hello through a socket owned by its task";
    std::string back;
    auto talk = async_move(std::move(stream).unwrap(), [&](net::TcpStream& c) {
        return io::write_all(c, bytes(msg))
            .and_then([&c] { return io::shutdown(c); })
            .and_then([&] { return io::read_to_string(c, back); });
    });
    // The echo's copy ends at our shutdown; its task then drops the socket,
    // which is the end of stream that read_to_string waits for.
    auto read = rt.block_on(std::move(talk));
    ASSERT_TRUE(read.is_ok());
    EXPECT_EQ(back, msg);

    auto echo = rt.block_on(std::move(server));
    ASSERT_TRUE(echo.is_ok());
    auto copied = rt.block_on(std::move(echo).value());
    ASSERT_TRUE(copied.is_ok());
    ASSERT_TRUE(copied.value().is_ok());
    EXPECT_EQ(*copied.value(), msg.size());
}
