// The samples of docs/debugging.md, one bug each, run as a reader runs
// them: the buggy version shows its symptom and what the tools report
// about it (the log's warnings, the task dump, the trace), the --fixed
// version does not. Nothing here asserts how long anything took: a
// warning or a late tick being reported at all is what counts, and the
// waits only turn a hang into a failure.
#include <gtest/gtest.h>

#include <signal.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "support/sample_process.hpp"

using namespace std::chrono_literals;
using pollen::test_support::CommandRun;
using pollen::test_support::run_command;
using pollen::test_support::sample_path;
using pollen::test_support::ServerProcess;

namespace {

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

std::string temp_file(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("pollen_debugging_" + std::to_string(::getpid()) + "_" + name)).string();
}

CommandRun run(const std::string& env, const std::string& sample, const std::string& args) {
    return run_command("env " + env + " " + sample_path(sample) + " " + args);  // run_command puts `timeout` first
}

// The trace's poll slices of the task named `task`, and its blocking-pool slices.
struct TraceCounts {
    int polls = 0;
    int blocking = 0;
};
TraceCounts count_in_trace(const std::string& path, const std::string& task) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    TraceCounts c;
    auto doc = nlohmann::json::parse(s.str(), nullptr, false);
    if (!doc.is_object()) return c;
    for (const auto& e : doc["traceEvents"]) {
        if (e.value("ph", "") != "X") continue;
        if (e.value("cat", "") == "blocking") ++c.blocking;
        if (e.value("cat", "") == "poll" && e.value("name", "") == task) ++c.polls;
    }
    return c;
}

// Sets an environment variable for the children a test starts, and unsets it after.
struct ScopedEnv {
    std::string name;
    ScopedEnv(std::string n, const char* value) : name(std::move(n)) { ::setenv(name.c_str(), value, 1); }
    ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

}  // namespace

// A blocking call in a task: the slow-poll warning names the task's spawn
// location, and the heartbeat on the same worker reports late ticks.
TEST(SamplesDebugging, BlockingCallIsReportedAsASlowPoll) {
    auto r = run("POLLEN_LOG=warn", "blocking_call", "--seconds 1");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(has(r.output, "spawned at samples/blocking_call.cpp")) << r.output;
    EXPECT_TRUE(has(r.output, "blocked its thread for")) << r.output;
    EXPECT_TRUE(has(r.output, "move blocking work to spawn_blocking")) << r.output;
    EXPECT_TRUE(has(r.output, "heartbeat: tick")) << r.output;  // a late tick
    EXPECT_TRUE(has(r.output, "heartbeat: ")) << r.output;
}

// The fix moves the call to the blocking pool: the trace has its work
// there, where the buggy run's has none.
TEST(SamplesDebugging, BlockingCallFixedRunsOnTheBlockingPool) {
    std::string bug_trace = temp_file("blocking_bug.json"), fixed_trace = temp_file("blocking_fixed.json");
    auto bug = run("POLLEN_TRACE=" + bug_trace, "blocking_call", "--seconds 1");
    auto fixed = run("POLLEN_TRACE=" + fixed_trace, "blocking_call", "--fixed --seconds 1");
    ASSERT_EQ(bug.status, 0) << bug.output;
    ASSERT_EQ(fixed.status, 0) << fixed.output;
    EXPECT_TRUE(has(fixed.output, "heartbeat: ")) << fixed.output;
    TraceCounts b = count_in_trace(bug_trace, "handler"), f = count_in_trace(fixed_trace, "handler");
    EXPECT_GT(b.polls, 0);
    EXPECT_EQ(b.blocking, 0);
    EXPECT_GT(f.blocking, 0);
    std::filesystem::remove(bug_trace);
    std::filesystem::remove(fixed_trace);
}

// A lost wake: the batcher hangs, the program says so and exits 1, and
// the lost-waker warning names the task's spawn location.
TEST(SamplesDebugging, LostWakeHangsAndTheLostWakerIsReported) {
    auto r = run("POLLEN_LOG=warn POLLEN_DETECT_LOST_WAKERS=1", "lost_wake", "--seconds 1");
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(has(r.output, "batcher: stuck")) << r.output;
    EXPECT_TRUE(has(r.output, "spawned at samples/lost_wake.cpp")) << r.output;
    EXPECT_TRUE(has(r.output, "a lost waker")) << r.output;
    EXPECT_FALSE(has(r.output, "batcher: batch 1")) << r.output;
}

// The console's dump and warnings of the stuck batcher: parked at its
// await of next_batch, the leaf saying no waker is stored; `no_waker`
// names the task.
TEST(SamplesDebugging, LostWakeDumpShowsWhereTheBatcherIsParked) {
    ServerProcess sample = [] {
        ScopedEnv console("POLLEN_CONSOLE", "1");
        return ServerProcess("lost_wake", {"--seconds", "120"});
    }();
    ASSERT_GT(sample.pid(), 0);
    ASSERT_TRUE(sample.first_line().starts_with("lost_wake: 12 readings")) << sample.first_line();
    std::string pid = std::to_string(sample.pid());
    std::string dump, once;
    for (int i = 0; i < 300; ++i) {
        dump = run_command(sample_path("pollen-console") + " --dump " + pid).output;
        once = run_command(sample_path("pollen-console") + " --once " + pid).output;
        if (has(dump, "no waker stored") && has(once, "no_waker: task 2 \"batcher\"")) break;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(has(dump, "name=\"batcher\"")) << dump;
    EXPECT_TRUE(has(dump, "Batcher at samples/lost_wake.cpp:")) << dump;
    EXPECT_TRUE(has(dump, "awaiting `next_batch(inbox, 3)`")) << dump;
    EXPECT_TRUE(has(dump, "NextBatch: batch of 3 from Inbox (")) << dump;
    EXPECT_TRUE(has(dump, "no waker stored")) << dump;
    EXPECT_TRUE(has(once, "no_waker: task 2 \"batcher\"")) << once;
    EXPECT_TRUE(has(once, "lost_waker:")) << once;
    EXPECT_TRUE(has(once, "lost wakers 1")) << once;
}

TEST(SamplesDebugging, LostWakeFixedDeliversEveryBatch) {
    auto r = run("POLLEN_LOG=warn POLLEN_DETECT_LOST_WAKERS=1", "lost_wake", "--fixed --seconds 60");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(has(r.output, "batcher: batch 4: 10 11 12")) << r.output;
    EXPECT_TRUE(has(r.output, "batcher: done, 4 batches")) << r.output;
    EXPECT_FALSE(has(r.output, "a lost waker")) << r.output;
}

// A task that never yields: the slow-poll warning names it, the heartbeat
// reports late ticks, and the trace shows the indexer drained its bursts of
// 5,000 lines (one every 2 s) in a handful of polls, about one a burst.
TEST(SamplesDebugging, StarvedTaskNeverYields) {
    std::string trace = temp_file("starved_bug.json");
    auto r = run("POLLEN_LOG=warn POLLEN_TRACE=" + trace, "starved_task", "--seconds 3");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(has(r.output, "spawned at samples/starved_task.cpp")) << r.output;
    EXPECT_TRUE(has(r.output, "blocked its thread for")) << r.output;
    EXPECT_TRUE(has(r.output, "heartbeat: tick")) << r.output;
    TraceCounts c = count_in_trace(trace, "indexer");
    EXPECT_GE(c.polls, 1);
    EXPECT_LE(c.polls, 8);
    std::filesystem::remove(trace);
}

// The guide's pictures (docs/screenshots.sh makes them): every image it
// links is there, a PNG, and small enough for a repository.
TEST(SamplesDebugging, TheGuidesPicturesArePngsUnder150KB) {
    std::ifstream in("docs/debugging.md");
    ASSERT_TRUE(in) << "run from the repository root";
    std::stringstream s;
    s << in.rdbuf();
    std::string guide = s.str();
    int images = 0;
    for (std::size_t at = guide.find("](images/"); at != std::string::npos; at = guide.find("](images/", at + 1)) {
        std::string path = "docs/" + guide.substr(at + 2, guide.find(')', at) - at - 2);
        ++images;
        ASSERT_TRUE(std::filesystem::exists(path)) << path;
        EXPECT_LT(std::filesystem::file_size(path), 150u * 1024) << path;
        std::ifstream png(path, std::ios::binary);
        char magic[8] = {};
        png.read(magic, 8);
        EXPECT_EQ(std::string(magic + 1, 3), "PNG") << path;
    }
    EXPECT_GE(images, 6);
}

// The fix yields after each line: the indexer is polled once per line.
TEST(SamplesDebugging, StarvedTaskFixedYieldsAfterEachLine) {
    std::string trace = temp_file("starved_fixed.json");
    auto r = run("POLLEN_TRACE=" + trace, "starved_task", "--fixed --seconds 1");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(has(r.output, "heartbeat: ")) << r.output;
    EXPECT_GT(count_in_trace(trace, "indexer").polls, 100);
    std::filesystem::remove(trace);
}
