// The cancel_at_every_point utility itself: it visits the cut points it
// promises, and each of its checks fails when the future under test is wrong
// (a checker that cannot fail checks nothing).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>

#include "support/gates.hpp"

using namespace pollen;
using pollen::test::Gates;
using pollen::testing::cancel_at_every_point;
using pollen::testing::cancel_stream_at_every_point;

namespace {

bool mentions(const pollen::testing::CancelReport& r, const std::string& what) {
    for (const auto& f : r.failures)
        if (f.find(what) != std::string::npos) return true;
    return false;
}

/// Pending `n` times without keeping the waker: nothing could wake it.
struct Forgetful : FutureExt<Forgetful> {
    using Output = int;
    int left;
    Poll<int> poll(Context&) {
        if (left-- > 0) return pending;
        return ready(7);
    }
};

/// Pending once, handing a clone of its waker to a place that never lets go.
struct Hoarder : FutureExt<Hoarder> {
    using Output = void;
    std::vector<Waker>* hoard;
    bool polled = false;
    Poll<void> poll(Context& cx) {
        if (polled) return ready();
        polled = true;
        hoard->push_back(cx.waker());
        cx.waker().wake_by_ref();
        return pending;
    }
};

}  // namespace

TEST(CancelAtEveryPoint, VisitsEveryPollAndStepBeforeTheInstanceThatCompletes) {
    Gates gates;
    std::vector<std::size_t> opened_at_cut;
    auto r = cancel_at_every_point([&] { return gates.future(2, 'x'); })
                 .setup([&] { gates.reset(); })
                 .step([&](const pollen::testing::Step& s) {
                     EXPECT_EQ(s.index(), gates.opened());
                     gates.open_next();
                     EXPECT_TRUE(s.woken_since_poll());
                 })
                 .invariant("no gate future alive", [&] { return gates.alive() == 0; })
                 .on_output([](char& c) { return c == 'x'; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    // poll, step, poll, step, poll, step, poll(Ready): cut after 0..6 actions.
    EXPECT_EQ(r.points, 7u);
    EXPECT_EQ(r.polls_to_complete, 4u);
}

TEST(CancelAtEveryPoint, WithoutAStepEveryPollIsACutPoint) {
    auto r = cancel_at_every_point([] { return future::ready(1); }).run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 1u);  // only "never polled"
    EXPECT_EQ(r.polls_to_complete, 1u);
}

TEST(CancelAtEveryPoint, ReportsAPendingPollThatKeptNoWaker) {
    auto r = cancel_at_every_point([] { return Forgetful{{}, 2}; }).run();
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(r.completed);
    EXPECT_TRUE(mentions(r, "lost waker")) << r;
    EXPECT_TRUE(mentions(r, "instance 1 (cut after 1 poll(s), 0 step(s))")) << r;
}

TEST(CancelAtEveryPoint, ReportsAWakerCloneThatOutlivesTheInstance) {
    std::vector<Waker> hoard;
    auto r = cancel_at_every_point([&] { return Hoarder{{}, &hoard}; }).run();
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(mentions(r, "waker leak: 1 clone(s)")) << r;
    hoard.clear();  // the counting state was kept alive for exactly this: no use after free
}

TEST(CancelAtEveryPoint, WakersMayStayInTheWorldUntilTeardownWhenAskedTo) {
    std::vector<Waker> hoard;
    auto r = cancel_at_every_point([&] { return Hoarder{{}, &hoard}; })
                 .teardown([&] { hoard.clear(); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelAtEveryPoint, ReportsABrokenInvariantWithItsName) {
    Gates gates;
    int cancelled_after_open = 0;
    auto r = cancel_at_every_point([&] { return gates.future(1, 0); })
                 .setup([&] { gates.reset(); })
                 .step([&] { gates.open_next(); })
                 .invariant("never cut after a gate opened", [&] {
                     if (gates.opened() > 0) ++cancelled_after_open;
                     return gates.opened() == 0;
                 })
                 .run();
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(mentions(r, "invariant \"never cut after a gate opened\"")) << r;
    EXPECT_GT(cancelled_after_open, 0);
}

TEST(CancelAtEveryPoint, ReportsAFutureThatNeverCompletes) {
    auto r = cancel_at_every_point([] { return future::pending<int>(); })
                 .allow_pending_without_waker()
                 .max_points(5)
                 .run();
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r.completed);
    EXPECT_EQ(r.points, 5u);
    EXPECT_TRUE(mentions(r, "no instance completed within 5")) << r;
}

TEST(CancelAtEveryPoint, ReportsAnOutputTheTestRejects) {
    auto r = cancel_at_every_point([] { return future::ready(1); }).on_output([](int& v) { return v == 2; }).run();
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(mentions(r, "on_output rejected")) << r;
}

TEST(CancelAtEveryPoint, DrivesStreamsWithPollNextUntilTheyEnd) {
    Gates gates;
    std::vector<int> last_items;
    auto r = cancel_stream_at_every_point([&] { return gates.stream(3); })
                 .setup([&] {
                     gates.reset();
                     last_items.clear();
                 })
                 .step([&] { gates.open_next(); })
                 .on_output([&](int& v) {
                     last_items.push_back(v);
                     return true;
                 })
                 .invariant("the stream is gone", [&] { return gates.alive() == 0; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(last_items, (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(r.points, 9u);  // three items and the end, each behind one step
}

TEST(CancelAtEveryPoint, ItemsBoundsAStreamThatDoesNotEnd) {
    auto r = cancel_stream_at_every_point([] { return stream::repeat(5); }).items(3).run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelAtEveryPoint, TheReportPrintsEveryFailure) {
    auto r = cancel_at_every_point([] { return Forgetful{{}, 1}; }).run();
    std::string text = r.to_string();
    EXPECT_NE(text.find("2 cancellation point(s) visited"), std::string::npos) << text;
    EXPECT_NE(text.find("lost waker"), std::string::npos) << text;
}
