// The resumable poll body (core/async_fn.hpp) and Slot (core/slot.hpp):
// straight-line async functions that park at an await and resume there,
// loops and branches around awaits, the ? form, cancellation of the awaited
// child, where a future is parked, and the misuse that must fail loudly.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/async_fn.hpp>
#include <pollen/core/slot.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>

#include "support/counting_waker.hpp"
#include "support/gates.hpp"

using namespace pollen;
using namespace std::chrono_literals;
using pollen::test::Gates;

namespace {

/// Polls once with a counting waker.
template <class F>
auto poll_once(F& f, pollen::test::CountingWaker& w) {
    Waker waker = w.waker();  // the Context borrows it: it must outlive the polls
    Context cx(waker);
    return f.poll(cx);
}

/// async fn sum3(g) -> int { g.future(0, 1).await + g.future(1, 2).await + g.future(2, 3).await }
struct Sum3 : Async<Sum3, int> {
    Gates& g;
    int a = 0, b = 0, c = 0;
    POLLEN_FRAME;
    explicit Sum3(Gates& gates) : g(gates) {}

    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET(a, g.future(0, 1));
        POLLEN_LET(b, g.future(1, 2));
        POLLEN_LET(c, g.future(2, 3));
        POLLEN_RETURN(a + b + c);
        POLLEN_END;
    }
};

TEST(AsyncFn, ParksAtEachAwaitAndResumesThere) {
    Gates g;
    pollen::test::CountingWaker w;
    Sum3 f(g);
    EXPECT_EQ(f.await_point(), nullptr);
    EXPECT_TRUE(poll_once(f, w).is_pending());
    ASSERT_NE(f.await_point(), nullptr);
    const int first_line = f.await_point()->line;
    EXPECT_STREQ(f.await_point()->expression, "g.future(0, 1)");
    EXPECT_NE(std::string(f.await_point()->file).find("core_async_fn_test.cpp"), std::string::npos);
    g.open_next();
    EXPECT_TRUE(poll_once(f, w).is_pending());
    EXPECT_EQ(f.await_point()->line, first_line + 1);
    EXPECT_STREQ(f.await_point()->expression, "g.future(1, 2)");
    g.open_next();
    g.open_next();
    auto p = poll_once(f, w);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), 6);
    EXPECT_TRUE(f.is_terminated());
    EXPECT_EQ(f.await_point(), nullptr);
    EXPECT_EQ(g.alive(), 0u);
}

TEST(AsyncFn, ReadyChildrenRunThroughInOnePoll) {
    Gates g;
    g.open_next();
    g.open_next();
    g.open_next();
    pollen::test::CountingWaker w;
    Sum3 f(g);
    auto p = poll_once(f, w);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), 6);
}

/// Loops and branches around awaits: sums what a channel carries, skipping
/// odd values, and stops at a negative one or when the channel closes.
struct SumEvens : Async<SumEvens, int> {
    mpsc::UnboundedReceiver<int> rx;
    std::optional<int> item;
    int total = 0;
    POLLEN_FRAME;
    explicit SumEvens(mpsc::UnboundedReceiver<int> r) : rx(std::move(r)) {}

    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (;;) {
            POLLEN_LET(item, rx.recv());
            if (!item || *item < 0) break;
            if (*item % 2 != 0) continue;
            total += *item;
        }
        POLLEN_RETURN(total);
        POLLEN_END;
    }
};

TEST(AsyncFn, LoopsBreakAndContinueAroundAnAwait) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    pollen::test::CountingWaker w;
    SumEvens f(std::move(rx));
    EXPECT_TRUE(poll_once(f, w).is_pending());
    for (int v : {2, 3, 4}) ASSERT_TRUE(tx.send(v).is_ok());
    EXPECT_TRUE(poll_once(f, w).is_pending());
    EXPECT_GE(w.wakes_total(), 1u);
    ASSERT_TRUE(tx.send(10).is_ok());
    ASSERT_TRUE(tx.send(-1).is_ok());
    ASSERT_TRUE(tx.send(100).is_ok());  // after the break: never read
    auto p = poll_once(f, w);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), 16);
}

/// An error type that can be built from std::error_code (Rust's From).
struct AppError {
    std::string what;
    AppError(std::error_code ec) : what("io: " + ec.message()) {}
    explicit AppError(std::string w) : what(std::move(w)) {}
};

/// The ? form: the first Err returns early, converted to AppError.
struct Steps : Async<Steps, Result<int, AppError>> {
    Gates& g;
    std::vector<int>& done;
    io::Result<int> second;
    int x = 0;
    POLLEN_FRAME;
    Steps(Gates& gates, std::vector<int>& d, io::Result<int> s) : g(gates), done(d), second(std::move(s)) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(x, g.future(0, io::Result<int>(Ok(1))));
        done.push_back(x);
        POLLEN_LET_TRY(x, g.future(1, std::move(second)));
        done.push_back(x);
        POLLEN_AWAIT_TRY(g.future(2, io::Result<void>(Ok())));
        done.push_back(3);
        POLLEN_TRY(x, parse(done.size()));
        POLLEN_RETURN(Ok(x));
        POLLEN_END;
    }
    static Result<int, AppError> parse(std::size_t n) {
        if (n > 3) return Err(AppError(std::string("too many")));
        return Ok(static_cast<int>(n) * 10);
    }
};

TEST(AsyncFn, TryFormReturnsTheFirstErrorConverted) {
    Gates g;
    for (int i = 0; i < 3; ++i) g.open_next();
    pollen::test::CountingWaker w;
    std::vector<int> done;
    Steps f(g, done, Err(std::make_error_code(std::errc::connection_reset)));
    auto p = poll_once(f, w);
    ASSERT_TRUE(p.is_ready());
    ASSERT_TRUE(p.value().is_err());
    EXPECT_EQ(p.value().error().what, "io: " + std::make_error_code(std::errc::connection_reset).message());
    EXPECT_EQ(done, std::vector<int>{1});
    EXPECT_TRUE(f.is_terminated());
}

TEST(AsyncFn, TryFormPassesValuesThroughAndChecksPlainResults) {
    Gates g;
    for (int i = 0; i < 3; ++i) g.open_next();
    pollen::test::CountingWaker w;
    std::vector<int> done;
    Steps f(g, done, Ok(2));
    auto p = poll_once(f, w);
    ASSERT_TRUE(p.is_ready());
    ASSERT_TRUE(p.value().is_ok());
    EXPECT_EQ(*p.value(), 30);
    EXPECT_EQ(done, (std::vector<int>{1, 2, 3}));
}

/// A child that counts its own lives, to see the frame destroy it.
struct Tracked : FutureExt<Tracked> {
    using Output = int;
    int* alive;
    explicit Tracked(int* a) : alive(a) { ++*alive; }
    Tracked(Tracked&& o) noexcept : alive(o.alive) { ++*alive; }
    ~Tracked() { --*alive; }
    Poll<int> poll(Context&) { return pending; }
};

struct WaitsOnTracked : Async<WaitsOnTracked, void> {
    int* alive;
    POLLEN_FRAME;
    explicit WaitsOnTracked(int* a) : alive(a) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET(std::ignore, Tracked(alive));
        POLLEN_END;
    }
};

TEST(AsyncFn, DestroyingItMidWayDestroysTheAwaitedChild) {
    int alive = 0;
    pollen::test::CountingWaker w;
    {
        WaitsOnTracked f(&alive);
        EXPECT_TRUE(poll_once(f, w).is_pending());
        EXPECT_EQ(alive, 1);  // built in place in the slot: no moved-from copy left behind
    }
    EXPECT_EQ(alive, 0);
}

/// A member the child borrows, and a child whose destructor touches it (as a
/// lock future unlinks itself from its Mutex): the child must go first.
struct Borrowed {
    bool alive = true;
    ~Borrowed() { alive = false; }
};
struct TouchesOnDrop : FutureExt<TouchesOnDrop> {
    using Output = int;
    Borrowed* owner;
    bool* saw_owner_alive;
    TouchesOnDrop(Borrowed* o, bool* s) : owner(o), saw_owner_alive(s) {}
    TouchesOnDrop(TouchesOnDrop&& o) noexcept : owner(std::exchange(o.owner, nullptr)), saw_owner_alive(o.saw_owner_alive) {}
    ~TouchesOnDrop() {
        if (owner != nullptr) *saw_owner_alive = owner->alive;
    }
    Poll<int> poll(Context&) { return pending; }
};
struct BorrowsAMember : Async<BorrowsAMember, void> {
    Borrowed owner;
    bool* saw_owner_alive;
    int x = 0;
    POLLEN_FRAME;
    explicit BorrowsAMember(bool* s) : saw_owner_alive(s) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET(x, TouchesOnDrop(&owner, saw_owner_alive));
        POLLEN_END;
    }
};

TEST(AsyncFn, DestroyingItMidWayDestroysTheChildBeforeTheMembersItBorrows) {
    pollen::test::CountingWaker w;
    bool saw_owner_alive = false;
    {
        BorrowsAMember f(&saw_owner_alive);
        EXPECT_TRUE(poll_once(f, w).is_pending());
    }
    EXPECT_TRUE(saw_owner_alive);
}

/// The frame declared before another member: refused at the first poll.
struct FrameNotLast : Async<FrameNotLast, void> {
    POLLEN_FRAME;
    int after = 0;
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_END;
    }
};

/// A void async fn that runs to its end, awaiting a member future in place.
struct NapTwice : Async<NapTwice, void> {
    Gates& g;
    Gates::GateFuture<int> held;
    int* steps;
    POLLEN_FRAME;
    NapTwice(Gates& gates, int* s) : g(gates), held(gates.future(0, 7)), steps(s) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET(*steps, held);  // an lvalue: polled where it lives
        if (*steps != 7) POLLEN_RETURN();
        POLLEN_AWAIT(g.future(1, Unit{}));
        *steps = 8;
        POLLEN_END;
    }
};

TEST(AsyncFn, AwaitsAMemberInPlaceAndAVoidBodyRunsToItsEnd) {
    Gates g;
    pollen::test::CountingWaker w;
    int steps = 0;
    NapTwice f(g, &steps);
    EXPECT_TRUE(poll_once(f, w).is_pending());
    EXPECT_STREQ(f.await_point()->expression, "held");
    g.open_next();
    EXPECT_TRUE(poll_once(f, w).is_pending());
    EXPECT_EQ(steps, 7);
    g.open_next();
    EXPECT_TRUE(poll_once(f, w).is_ready());
    EXPECT_EQ(steps, 8);
}

/// An async fn awaiting another one (the child's frame lives in the parent's slot).
struct Outer : Async<Outer, int> {
    Gates& g;
    int inner = 0;
    POLLEN_FRAME_SIZED(512);
    explicit Outer(Gates& gates) : g(gates) {}
    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET(inner, Sum3(g));
        POLLEN_LET(inner, Sum3(g).map([](int v) { return v * 100; }));
        POLLEN_RETURN(inner + 1);
        POLLEN_END;
    }
};

TEST(AsyncFn, NestsAndComposesWithCombinators) {
    Gates g;
    pollen::test::CountingWaker w;
    Outer f(g);
    EXPECT_TRUE(poll_once(f, w).is_pending());
    for (int i = 0; i < 3; ++i) g.open_next();
    auto p = poll_once(f, w);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), 601);
}

TEST(AsyncFn, CancelledAtEveryPointLeavesNoChildAndNoWaker) {
    Gates g;
    auto r = pollen::testing::cancel_at_every_point([&] { return Outer(g); })
                 .setup([&g] { g.reset(); })
                 .step([&g] { g.open_next(); })
                 .invariant("every child future destroyed", [&g] { return g.alive() == 0; })
                 .invariant("no child left registered", [&g] { return g.waiting() == 0; })
                 .on_output([](int& v) { return v == 601; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 7u);
}

TEST(AsyncFn, RunsUnderARuntimeAsATask) {
    for (bool multi : {false, true}) {
        auto rt = multi ? Runtime::builder().worker_threads(2).enable_all().build()
                        : Builder::new_current_thread().enable_all().build();
        auto [tx, rx] = mpsc::unbounded_channel<int>();
        auto handle = rt.spawn(SumEvens(std::move(rx)));
        auto producer = rt.spawn(time::sleep(1ms).map([tx = std::move(tx)] {
            for (int v : {2, 4, 5}) (void)tx.send(v);
        }));
        auto total = rt.block_on(std::move(handle));
        ASSERT_TRUE(total.is_ok());
        EXPECT_EQ(*total, 6);
        (void)rt.block_on(std::move(producer));
    }
}

/// The doc's TCP exchange: connect, write, read back, under a runtime.
struct Exchange : Async<Exchange, io::Result<std::string>> {
    net::SocketAddr addr;
    std::string msg;
    std::optional<net::TcpStream> stream;
    std::size_t n = 0;
    std::array<std::byte, 4096> buf{};
    std::string reply;
    POLLEN_FRAME;
    Exchange(net::SocketAddr a, std::string m) : addr(a), msg(std::move(m)) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(stream, net::TcpStream::connect(addr));
        POLLEN_AWAIT_TRY(io::write_all(*stream, std::as_bytes(std::span(msg))));
        while (reply.size() < msg.size()) {
            POLLEN_LET_TRY(n, io::read(*stream, buf));
            if (n == 0) break;
            reply.append(reinterpret_cast<const char*>(buf.data()), n);
        }
        POLLEN_RETURN(Ok(std::move(reply)));
        POLLEN_END;
    }
};

/// The echo server's per-connection task.
struct EchoOnce : Async<EchoOnce, io::Result<void>> {
    net::TcpListener& listener;
    std::optional<std::pair<net::TcpStream, net::SocketAddr>> accepted;
    std::array<std::byte, 1024> buf{};
    std::size_t n = 0;
    POLLEN_FRAME;
    explicit EchoOnce(net::TcpListener& l) : listener(l) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(accepted, listener.accept());
        for (;;) {
            POLLEN_LET_TRY(n, io::read(accepted->first, buf));
            if (n == 0) POLLEN_RETURN(Ok());
            POLLEN_AWAIT_TRY(io::write_all(accepted->first, std::span(buf).first(n)));
        }
        POLLEN_END;
    }
};

TEST(AsyncFn, ATcpRoundTripWrittenTopToBottom) {
    auto rt = Runtime::builder().worker_threads(2).enable_all().build();
    auto listener = rt.block_on(pollen::future::lazy([] { return net::TcpListener::bind(net::SocketAddr::parse("127.0.0.1:0").value()); }));
    ASSERT_TRUE(listener.is_ok()) << listener.error().message();
    auto addr = listener->local_addr().value();
    auto server = rt.spawn(EchoOnce(*listener));
    auto reply = rt.block_on(time::timeout(10s, Exchange(addr, "hello, async body")));
    ASSERT_TRUE(reply.is_ok());
    ASSERT_TRUE(reply->is_ok()) << reply->error().message();
    EXPECT_EQ(reply->value(), "hello, async body");
    server.abort();
    (void)rt.block_on(std::move(server));
}

TEST(AsyncFn, ConnectErrorsComeBackThroughTheTryForm) {
    auto rt = Builder::new_current_thread().enable_all().build();
    // Bind then close a listener: its port is (almost certainly) refused now.
    net::SocketAddr addr = rt.block_on(pollen::future::lazy([] {
        auto l = net::TcpListener::bind(net::SocketAddr::parse("127.0.0.1:0").value());
        return l.value().local_addr().value();
    }));
    auto reply = rt.block_on(Exchange(addr, "x"));
    ASSERT_TRUE(reply.is_err());
    EXPECT_EQ(reply.error(), std::make_error_code(std::errc::connection_refused));
}

using AsyncFnDeathTest = ::testing::Test;

TEST(AsyncFnDeathTest, AFrameThatIsNotTheLastMemberAborts) {
    pollen::test::CountingWaker w;
    FrameNotLast f;
    EXPECT_DEATH((void)poll_once(f, w), "POLLEN_FRAME must be the last member");
}

TEST(AsyncFnDeathTest, PollingAfterReadyAborts) {
    Gates g;
    for (int i = 0; i < 3; ++i) g.open_next();
    pollen::test::CountingWaker w;
    Sum3 f(g);
    ASSERT_TRUE(poll_once(f, w).is_ready());
    EXPECT_DEATH((void)poll_once(f, w), "resumed after completion");
}

#if POLLEN_PIN_CHECKS
TEST(AsyncFnDeathTest, MovingAfterTheFirstPollAborts) {
    Gates g;
    pollen::test::CountingWaker w;
    EXPECT_DEATH(
        {
            Sum3 f(g);
            (void)poll_once(f, w);
            Sum3 moved(std::move(f));
        },
        "moved after");
}
#endif

struct NeverReturns : Async<NeverReturns, int> {
    POLLEN_FRAME;
    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_AWAIT(pollen::future::ready(Unit{}));
        POLLEN_END;
    }
};

TEST(AsyncFnDeathTest, AValueBodyThatRunsOffItsEndAborts) {
    pollen::test::CountingWaker w;
    NeverReturns f;
    EXPECT_DEATH((void)poll_once(f, w), "without POLLEN_RETURN");
}

// ---------------------------------------------------------------- Slot

TEST(Slot, EmplacePollAndClearOnReady) {
    Gates g;
    pollen::test::CountingWaker w;
    Waker waker = w.waker();  // the Context borrows it: it must outlive the polls
    Context cx(waker);
    Slot<Gates::GateFuture<int>> slot;
    EXPECT_TRUE(slot.is_empty());
    slot.emplace(g.future(0, 5));
    EXPECT_FALSE(slot.is_empty());
    EXPECT_TRUE(slot.poll(cx).is_pending());
    EXPECT_EQ(g.waiting(), 1u);
    g.open_next();
    auto p = slot.poll(cx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), 5);
    EXPECT_TRUE(slot.is_empty());
    EXPECT_EQ(g.alive(), 0u);
}

TEST(Slot, ResetAndDestructionCancelTheChild) {
    Gates g;
    pollen::test::CountingWaker w;
    Waker waker = w.waker();  // the Context borrows it: it must outlive the polls
    Context cx(waker);
    {
        Slot<Gates::GateFuture<int>> slot;
        slot.emplace(g.future(3, 1));
        EXPECT_TRUE(slot.poll(cx).is_pending());
        slot.reset();
        EXPECT_EQ(g.alive(), 0u);
        slot.emplace(g.future(3, 2));
        EXPECT_EQ(g.alive(), 1u);
    }
    EXPECT_EQ(g.alive(), 0u);
    EXPECT_EQ(g.waiting(), 0u);
}

}  // namespace
