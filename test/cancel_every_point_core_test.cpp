// Cancellation at every point, core layer: every combinator, stream adapter
// and consumer, and the io helpers over duplex, destroyed after each poll and
// each step of the world. The world is a row of gates (test/support/gates.hpp)
// opened one per step; after each destruction no child future may be alive
// or registered, and no waker clone may survive.
#include <gtest/gtest.h>

// GCC 12 reports false maybe-uninitialized warnings on optionals deep inside
// nested stream adapters (the Makefile's sanitizer builds silence it too).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>

#include "support/gates.hpp"

using namespace pollen;
using pollen::test::Gates;
using pollen::testing::cancel_at_every_point;
using pollen::testing::cancel_stream_at_every_point;

namespace {

/// A run over a gated world: fresh gates per instance, one gate opened per
/// step, and every gate future or stream gone after each destruction.
template <class Make>
auto gated(Gates& g, Make make) {
    auto run = cancel_at_every_point(std::move(make));
    run.setup([&g] { g.reset(); })
        .step([&g] { g.open_next(); })
        .invariant("every child future destroyed", [&g] { return g.alive() == 0; })
        .invariant("no child left registered", [&g] { return g.waiting() == 0; });
    return run;
}

using R = Result<int, int>;

}  // namespace

TEST(CancelEveryPointCore, Map) {
    Gates g;
    auto r = gated(g, [&] { return g.future(1, 20).map([](int v) { return v + 1; }); })
                 .on_output([](int& v) { return v == 21; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 5u);
}

TEST(CancelEveryPointCore, ThenAndInspect) {
    Gates g;
    auto r = gated(g, [&] {
                 return g.future(0, 1).then([&](int v) { return g.future(2, v + 1); }).inspect([](const int&) {});
             })
                 .on_output([](int& v) { return v == 2; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 7u);
}

TEST(CancelEveryPointCore, AndThenOrElseMapOkMapErr) {
    Gates g;
    auto r = gated(g, [&] {
                 return g.future(0, R(Err(1)))
                     .or_else([&](int e) { return g.future(1, R(Ok(e + 1))); })
                     .and_then([&](int v) { return g.future(2, R(Ok(v * 10))); })
                     .map_ok([](int v) { return v + 1; })
                     .map_err([](int e) { return -e; });
             })
                 .on_output([](R& v) { return v.is_ok() && *v == 21; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 7u);
}

TEST(CancelEveryPointCore, JoinAndTryJoin) {
    Gates g;
    auto j = gated(g, [&] { return join(g.future(1, 'a'), g.future(0, 'b')); }).run();
    EXPECT_TRUE(j.ok()) << j;
    auto tj = gated(g, [&] { return try_join(g.future(0, R(Ok(1))), g.future(2, R(Ok(2)))); })
                  .on_output([](auto& v) { return v.is_ok(); })
                  .run();
    EXPECT_TRUE(tj.ok()) << tj;
    // An error ends try_join early, destroying the other side.
    auto err = gated(g, [&] { return try_join(g.future(1, R(Err(5))), g.future(3, R(Ok(2)))); })
                   .on_output([](auto& v) { return v.is_err() && v.error() == 5; })
                   .run();
    EXPECT_TRUE(err.ok()) << err;
    EXPECT_EQ(err.points, 5u);
}

TEST(CancelEveryPointCore, JoinAll) {
    Gates g;
    auto r = gated(g, [&] {
                 std::vector<Gates::GateFuture<int>> fs;
                 for (int i = 0; i < 3; ++i) fs.push_back(g.future(2 - i, i));
                 return join_all(std::move(fs));
             })
                 .on_output([](std::vector<int>& v) { return v == std::vector<int>{0, 1, 2}; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 7u);
}

TEST(CancelEveryPointCore, SelectHandsBackTheLoserWhichTheTestThenDrops) {
    Gates g;
    auto r = gated(g, [&] { return select(g.future(2, 1), g.future(1, 2)); })
                 .on_output([&](auto& either) { return either.is_right() && g.alive() == 1; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointCore, SelectAllAndRace) {
    Gates g;
    auto sa = gated(g, [&] {
                  std::vector<Gates::GateFuture<int>> fs;
                  for (int i = 0; i < 3; ++i) fs.push_back(g.future(3 - i, i));
                  return select_all(std::move(fs));
              })
                  .run();
    EXPECT_TRUE(sa.ok()) << sa;
    auto race_run = gated(g, [&] { return race(g.future(2, 1), g.future(1, 2), g.future(4, 3)); })
                        .on_output([&](int& v) { return v == 2 && g.alive() == 0; })
                        .run();
    EXPECT_TRUE(race_run.ok()) << race_run;
    EXPECT_EQ(race_run.points, 5u);
}

TEST(CancelEveryPointCore, TimeoutLikeSelectOfWorkAndDeadline) {
    // The shape of time::timeout without a clock: whichever gate opens first wins.
    Gates g;
    auto r = gated(g, [&] { return race(g.future(3, R(Ok(1))), g.future(1, R(Err(0)))); })
                 .on_output([](R& v) { return v.is_err(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointCore, LoopFn) {
    Gates g;
    auto r = gated(g, [&] {
                 return loop_fn(0, [&](int k) {
                     return g.future(k, k).map([](int v) -> LoopStep<int, int> {
                         if (v < 3) return Continue{v + 1};
                         return Break{v};
                     });
                 });
             })
                 .on_output([](int& v) { return v == 3; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 9u);
}

TEST(CancelEveryPointCore, BoxedAndFuse) {
    Gates g;
    auto b = gated(g, [&] { return g.future(1, 1).boxed(); }).run();
    EXPECT_TRUE(b.ok()) << b;
    auto f = gated(g, [&] { return g.future(1, 1).fuse(); }).run();
    EXPECT_TRUE(f.ok()) << f;
}

TEST(CancelEveryPointCore, StreamNextLeavesUnproducedItemsInTheStream) {
    Gates g;
    std::optional<Gates::GateStream> s;
    auto r = cancel_at_every_point([&] { return s->next(); })
                 .setup([&] {
                     g.reset();
                     s.emplace(g.stream(2));
                 })
                 .step([&] { g.open_next(); })
                 // The stream keeps its registration (as Tokio's do); the next
                 // call would reuse it. It goes with the stream.
                 .wakers_released_by_teardown()
                 .invariant("the stream still yields its first item", [&] {
                     // Whatever the cut, item 0 was either returned (the
                     // instance completed) or is still the stream's next.
                     return g.alive() == 1;
                 })
                 .on_output([](std::optional<int>& v) { return v == 0; })
                 .teardown([&] { s.reset(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointCore, CollectFoldForEachCount) {
    Gates g;
    auto c = gated(g, [&] { return g.stream(3).map([](int v) { return v * 2; }).collect(); })
                 .on_output([](std::vector<int>& v) { return v == std::vector<int>{0, 2, 4}; })
                 .run();
    EXPECT_TRUE(c.ok()) << c;
    EXPECT_EQ(c.points, 7u);
    auto f = gated(g, [&] { return g.stream(3).fold(0, [](int acc, int v) { return future::ready(acc + v); }); })
                 .on_output([](int& v) { return v == 3; })
                 .run();
    EXPECT_TRUE(f.ok()) << f;
    int seen = 0;
    auto fe = gated(g, [&] {
                  seen = 0;
                  return g.stream(3).for_each([&](int) {
                      ++seen;
                      return future::ready();
                  });
              })
                  .on_output([&] { return seen == 3; })
                  .run();
    EXPECT_TRUE(fe.ok()) << fe;
    auto n = gated(g, [&] { return g.stream(2).filter([](const int& v) { return future::ready(v % 2 == 0); }).count(); })
                 .on_output([](std::size_t& v) { return v == 1; })
                 .run();
    EXPECT_TRUE(n.ok()) << n;
}

TEST(CancelEveryPointCore, ForEachWithAGatedBodyDestroysTheRunningBody) {
    Gates g;
    auto r = gated(g, [&] { return g.stream(2).for_each([&](int v) { return g.future(std::size_t(v) + 2, Unit{}).map([](Unit) {}); }); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointCore, BufferedKeepsOrderBufferUnorderedDoesNot) {
    Gates g;
    auto make_stream = [&] { return stream::iter({0, 1, 2}).map([&](int i) { return g.future(std::size_t(2 - i), i); }); };
    auto b = cancel_stream_at_every_point([&] { return make_stream().buffered(3); })
                 .setup([&] { g.reset(); })
                 .step([&] { g.open_next(); })
                 .invariant("every buffered future destroyed", [&] { return g.alive() == 0; })
                 .run();
    EXPECT_TRUE(b.ok()) << b;
    std::vector<int> order;
    auto u = cancel_stream_at_every_point([&] { return make_stream().buffer_unordered(3); })
                 .setup([&] {
                     g.reset();
                     order.clear();
                 })
                 .step([&] { g.open_next(); })
                 .on_output([&](int& v) {
                     order.push_back(v);
                     return true;
                 })
                 .invariant("every buffered future destroyed", [&] { return g.alive() == 0; })
                 .run();
    EXPECT_TRUE(u.ok()) << u;
    EXPECT_EQ(order, (std::vector<int>{2, 1, 0}));
}

TEST(CancelEveryPointCore, FuturesUnordered) {
    Gates g;
    std::vector<int> order;
    auto r = cancel_stream_at_every_point([&] {
                 FuturesUnordered<Gates::GateFuture<int>> set;
                 for (int i = 0; i < 3; ++i) set.push(g.future(std::size_t(i == 1 ? 0 : i + 1), i));
                 return set;
             })
                 .setup([&] {
                     g.reset();
                     order.clear();
                 })
                 .step([&] { g.open_next(); })
                 .on_output([&](int& v) {
                     order.push_back(v);
                     return true;
                 })
                 .invariant("every future in the set destroyed", [&] { return g.alive() == 0; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(order, (std::vector<int>{1, 0, 2}));
}

TEST(CancelEveryPointCore, StreamAdaptersOverAGatedStream) {
    Gates g;
    auto r = cancel_stream_at_every_point([&] {
                 return g.stream(4)
                     .then([&](int v) { return g.future(std::size_t(v), v); })
                     .filter_map([](int v) { return future::ready(v % 2 ? std::optional<int>(v) : std::nullopt); })
                     .chain(g.stream(1, 4))
                     .zip(stream::repeat(0))
                     .take(3);
             })
                 .setup([&] { g.reset(); })
                 .step([&] { g.open_next(); })
                 .invariant("every stream and future destroyed", [&] { return g.alive() == 0; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

/// One end of a duplex written or drained synchronously, as another task would.
std::size_t write_now(io::DuplexStream& s, std::string_view data) {
    Context cx(noop_waker_ref());
    auto p = s.poll_write(cx, bytes(data));
    return p.is_ready() && p.value().is_ok() ? *p.value() : 0;
}
std::string drain_now(io::DuplexStream& s) {
    std::string out;
    Context cx(noop_waker_ref());
    for (;;) {
        std::byte buf[64];
        auto p = s.poll_read(cx, buf);
        if (p.is_pending() || p.value().is_err() || *p.value() == 0) return out;
        out.append(reinterpret_cast<const char*>(buf), *p.value());
    }
}

/// Two duplex pairs and the bytes that went through them.
struct DuplexWorld {
    std::optional<std::pair<io::DuplexStream, io::DuplexStream>> a, b;
    std::string written, received;
    void reset() {
        a.emplace(io::duplex(4));
        b.emplace(io::duplex(64));
        written.clear();
        received.clear();
    }
    void clear() {
        a.reset();
        b.reset();
    }
};

}  // namespace

TEST(CancelEveryPointCore, IoReadOverDuplexLosesNoBytes) {
    DuplexWorld w;
    std::byte buf[16];
    auto r = cancel_at_every_point([&] { return io::read(w.a->first, buf); })
                 .setup([&] { w.reset(); })
                 .step([&] { w.written += std::string_view("ab").substr(0, write_now(w.a->second, "ab")); })
                 .on_output([&](io::Result<std::size_t>& n) {
                     w.received.append(reinterpret_cast<const char*>(buf), n.is_ok() ? *n : 0);
                     return n.is_ok();
                 })
                 // io::read is cancel-safe: what it did not return is still in the pipe.
                 .invariant("every written byte read exactly once",
                            [&] { return w.received + drain_now(w.a->first) == w.written; })
                 .wakers_released_by_teardown()  // the read waker slot belongs to the pipe
                 .teardown([&] { w.clear(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointCore, IoWriteAllOverDuplexUnderBackpressure) {
    DuplexWorld w;
    auto r = cancel_at_every_point([&] { return io::write_all(w.a->first, "0123456789"); })
                 .setup([&] { w.reset(); })
                 .step([&] { w.received += drain_now(w.a->second); })
                 .on_output([](io::Result<void>& res) { return res.is_ok(); })
                 .invariant("what arrived is a prefix of what was written", [&] {
                     std::string got = w.received + drain_now(w.a->second);
                     return std::string_view("0123456789").starts_with(got);
                 })
                 .wakers_released_by_teardown()
                 .teardown([&] { w.clear(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_GE(r.points, 5u);
}

TEST(CancelEveryPointCore, IoCopyBetweenDuplexes) {
    DuplexWorld w;
    auto r = cancel_at_every_point([&] { return io::copy(w.a->first, w.b->first); })
                 .setup([&] { w.reset(); })
                 .step([&](const pollen::testing::Step& s) {
                     if (s.index() < 3) {
                         w.written += "x";
                         write_now(w.a->second, "x");
                     } else {
                         Context cx(noop_waker_ref());
                         (void)w.a->second.poll_shutdown(cx);  // end of stream for the copy
                     }
                 })
                 .on_output([&](io::Result<std::uint64_t>& n) { return n.is_ok() && *n == 3; })
                 .invariant("nothing copied is lost or doubled", [&] {
                     std::string out = drain_now(w.b->second);
                     std::string left = drain_now(w.a->first);
                     // copy may hold bytes it read and had not written yet
                     // (Tokio's copy is not cancel-safe either): never more than were written.
                     return (out + left).size() <= w.written.size() && w.written.starts_with(out);
                 })
                 .wakers_released_by_teardown()
                 .teardown([&] { w.clear(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}
