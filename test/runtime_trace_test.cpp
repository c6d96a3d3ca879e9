// The timeline (Builder::trace, POLLEN_TRACE): the Chrome trace-event JSON
// is parsed and its events checked: spawns, one slice per poll with its
// duration, flows from each wake (or spawn) to the poll it caused, blocking
// pool work, timer firings, the ring's bound, and the file at shutdown.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <pollen.hpp>

using namespace pollen;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

/// Yields `n` times, then is Ready.
auto yielder(int n) {
    return future::poll_fn([left = n](Context& cx) mutable -> Poll<void> {
        if (left == 0) return ready();
        --left;
        cx.waker().wake_by_ref();
        return pending;
    });
}

struct Trace {
    json doc;
    std::vector<json> slices;                 // ph X
    std::map<std::uint64_t, json> flow_start;  // id -> ph s
    std::map<std::uint64_t, json> flow_end;    // id -> ph f
    std::map<std::uint64_t, std::string> thread_names;

    explicit Trace(const std::string& text) : doc(json::parse(text)) {
        for (const json& e : doc.at("traceEvents")) {
            std::string ph = e.at("ph");
            if (ph == "X") slices.push_back(e);
            else if (ph == "s") flow_start[e.at("id")] = e;
            else if (ph == "f") flow_end[e.at("id")] = e;
            else if (ph == "M" && e.at("name") == "thread_name") thread_names[e.at("tid")] = e.at("args").at("name");
        }
    }
    std::vector<json> named(const std::string& name, const std::string& cat) const {
        std::vector<json> out;
        for (const json& s : slices)
            if (s.at("name") == name && s.at("cat") == cat) out.push_back(s);
        return out;
    }
    /// The slice a flow event binds to: on its thread, enclosing its time,
    /// the innermost (shortest) one.
    std::optional<json> enclosing(const json& flow) const {
        std::optional<json> best;
        double ts = flow.at("ts");
        for (const json& s : slices) {
            if (s.at("tid") != flow.at("tid")) continue;
            double b = s.at("ts"), d = s.at("dur");
            if (b <= ts && ts <= b + d && (!best || d < double(best->at("dur")))) best = s;
        }
        return best;
    }
};

}  // namespace

TEST(Trace, PollsAreSlicesAndEachWakeFlowsIntoThePollItCaused) {
    Runtime rt = Builder::new_current_thread().trace("").build();
    auto h = rt.block_on(future::lazy([] { return task::Builder().name("yielder").spawn(yielder(3)); }));
    ASSERT_TRUE(rt.block_on(std::move(h)).is_ok());
    Trace t(rt.trace_json());

    auto spawns = t.named("spawn yielder", "spawn");
    ASSERT_EQ(spawns.size(), 1u);
    EXPECT_NE(std::string(spawns[0].at("args").at("spawned_at")).find("runtime_trace_test.cpp"), std::string::npos);
    auto polls = t.named("yielder", "poll");
    ASSERT_EQ(polls.size(), 4u);
    for (const json& p : polls) EXPECT_GE(double(p.at("dur")), 0.0);
    auto wakes = t.named("self-wake yielder", "wake");
    EXPECT_EQ(wakes.size(), 3u);

    // Every poll is the end of exactly one flow: the first one's from the
    // spawn, each later one's from the self-wake inside the poll before.
    ASSERT_EQ(t.flow_end.size(), 4u);
    std::vector<std::string> sources;
    for (const json& p : polls) {
        const json* end = nullptr;
        for (auto& [id, f] : t.flow_end)
            if (f.at("ts") == p.at("ts") && f.at("tid") == p.at("tid")) end = &f;
        ASSERT_NE(end, nullptr) << p;
        EXPECT_EQ(t.enclosing(*end)->at("name"), "yielder");
        auto start = t.flow_start.find(end->at("id"));
        ASSERT_NE(start, t.flow_start.end());
        auto source = t.enclosing(start->second);
        ASSERT_TRUE(source);
        sources.push_back(source->at("name"));
        EXPECT_LE(double(start->second.at("ts")), double(end->at("ts")));
    }
    EXPECT_EQ(sources, (std::vector<std::string>{"spawn yielder", "self-wake yielder", "self-wake yielder",
                                                 "self-wake yielder"}));
}

TEST(Trace, AWakeFromAnotherTaskStartsItsFlowInsideThatTasksPoll) {
    Runtime rt = Builder::new_current_thread().trace("").build();
    struct WakerSlot {
        std::optional<Waker> waker;
        bool fired = false;
    };
    auto slot = std::make_shared<WakerSlot>();
    auto waiter = task::Builder().name("waiter").spawn_on(future::poll_fn([slot](Context& cx) -> Poll<void> {
        if (slot->fired) return ready();
        slot->waker = cx.waker();
        return pending;
    }), rt.handle());
    auto firer = task::Builder().name("firer").spawn_on(future::lazy([slot] {
        slot->fired = true;
        std::move(*slot->waker).wake();
    }), rt.handle());
    ASSERT_TRUE(rt.block_on(std::move(waiter)).is_ok());
    Trace t(rt.trace_json());

    auto wakes = t.named("wake waiter", "wake");
    ASSERT_EQ(wakes.size(), 1u);
    auto firer_polls = t.named("firer", "poll");
    ASSERT_EQ(firer_polls.size(), 1u);
    auto waiter_polls = t.named("waiter", "poll");
    ASSERT_EQ(waiter_polls.size(), 2u);
    // The wake's flow starts in the wake slice, nested in firer's poll...
    const json* start = nullptr;
    for (auto& [id, s] : t.flow_start)
        if (t.enclosing(s)->at("name") == "wake waiter") start = &s;
    ASSERT_NE(start, nullptr);
    double fb = firer_polls[0].at("ts"), fd = firer_polls[0].at("dur");
    EXPECT_LE(fb, double(start->at("ts")));
    EXPECT_LE(double(start->at("ts")), fb + fd);
    // ...and ends at waiter's second poll.
    ASSERT_TRUE(t.flow_end.contains(start->at("id")));
    EXPECT_EQ(t.flow_end[start->at("id")].at("ts"), waiter_polls[1].at("ts"));
}

TEST(Trace, TheRingKeepsOnlyTheLastEvents) {
    Runtime rt = Builder::new_current_thread().trace("").trace_buffer(50).build();
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(rt.block_on(rt.spawn(yielder(1))).is_ok());
    Trace t(rt.trace_json());
    EXPECT_EQ(t.doc.at("otherData").at("capacity"), 50);
    EXPECT_EQ(t.doc.at("otherData").at("events_kept"), 50);
    EXPECT_EQ(t.doc.at("otherData").at("events_recorded"), 400);  // spawn, 2 polls, a wake: 4 a task
    EXPECT_EQ(t.slices.size(), 50u);
    // Only flows with both ends kept are written.
    for (auto& [id, f] : t.flow_end) EXPECT_TRUE(t.flow_start.contains(id)) << id;
    // The kept ones are the last: the last task's polls are there.
    std::uint64_t max_task = 0;
    for (const json& s : t.slices)
        if (s.at("args").contains("task")) max_task = std::max<std::uint64_t>(max_task, s.at("args").at("task"));
    EXPECT_EQ(t.named("task " + std::to_string(max_task), "poll").size(), 2u);
}

TEST(Trace, BlockingPoolWorkAndTimerFiringsAreOnTheTimeline) {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).thread_name("tw").trace("").build();
    int v = rt.block_on(rt.spawn_blocking([] { return 7; })).unwrap();
    EXPECT_EQ(v, 7);
    Trace t(rt.trace_json());

    std::vector<json> blocking;
    for (const json& s : t.slices)
        if (s.at("cat") == "blocking") blocking.push_back(s);
    ASSERT_EQ(blocking.size(), 1u);
    EXPECT_EQ(t.thread_names[blocking[0].at("tid")], "tw-blk");

    // Timers on the paused clock: the sleep is registered at its first poll
    // whatever the machine's load, and fired by the auto-advance.
    Runtime paused = Builder::new_current_thread().start_paused(true).trace("").build();
    ASSERT_TRUE(paused.block_on(paused.spawn(time::sleep(1ms))).is_ok());
    t = Trace(paused.trace_json());
    std::vector<json> timers;
    for (const json& s : t.slices)
        if (s.at("cat") == "timer") timers.push_back(s);
    ASSERT_GE(timers.size(), 1u);
    EXPECT_GE(int(timers.back().at("args").at("count")), 1);
    // The timer's wake is inside the firing, and flows into the sleeper's poll.
    bool linked = false;
    for (auto& [id, s] : t.flow_start) {
        auto src = t.enclosing(s);
        if (!src || src->at("cat") != "wake") continue;
        double ts = s.at("ts");
        for (const json& f : timers)
            if (f.at("tid") == s.at("tid") && double(f.at("ts")) <= ts && ts <= double(f.at("ts")) + double(f.at("dur")))
                linked = t.flow_end.contains(id);
    }
    EXPECT_TRUE(linked);
}

TEST(Trace, WrittenAtShutdownToTheBuildersPathOrPollenTrace) {
    std::string path = testing::TempDir() + "pollen_trace_test.json";
    std::remove(path.c_str());
    {
        Runtime rt = Builder::new_current_thread().trace(path).build();
        ASSERT_TRUE(rt.block_on(rt.spawn(yielder(2))).is_ok());
    }
    std::ifstream in(path);
    ASSERT_TRUE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    Trace t(text.str());
    EXPECT_EQ(t.named("task 1", "poll").size(), 3u);

    std::string env_path = testing::TempDir() + "pollen_trace_env_test.json";
    std::remove(env_path.c_str());
    ::setenv("POLLEN_TRACE", env_path.c_str(), 1);
    {
        Runtime rt = Builder::new_current_thread().build();
        ::unsetenv("POLLEN_TRACE");
        ASSERT_TRUE(rt.block_on(rt.spawn(yielder(0))).is_ok());
        rt.shutdown_timeout(1s);  // writes it once...
    }                             // ...not again here
    std::ifstream env_in(env_path);
    ASSERT_TRUE(env_in.good());
    std::remove(path.c_str());
    std::remove(env_path.c_str());
}

TEST(Trace, OffByDefault) {
    Runtime rt = Builder::new_current_thread().build();
    EXPECT_THROW((void)rt.trace_json(), std::logic_error);
    EXPECT_THROW(rt.write_trace("/nonexistent/x.json"), std::logic_error);
}
