// pollen-console driven in a real terminal: tmux runs it at 160x50 against
// samples/console_demo (named tasks, three of them with bugs), the test
// types keys with `tmux send-keys` and reads the screen with `tmux
// capture-pane`. It checks the task table, that sorting by busy time, polls
// and id orders the rows so, the detail view's histogram, the warnings, the
// dump, and that `q` quits with status 0; and the --once, --json and
// listing modes. Waits poll the screen with a generous limit that only
// turns a hang into a failure.

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/sample_process.hpp"

using namespace std::chrono_literals;
using pollen::test_support::run_command;
using pollen::test_support::sample_path;
using pollen::test_support::ServerProcess;

namespace {

// A tmux server of the test's own (-L), so nothing else's sessions are touched.
class Tmux {
public:
    Tmux() : socket_("pollen-console-test-" + std::to_string(::getpid())) {}
    ~Tmux() { run_command(tmux("kill-server")); }
    std::string tmux(const std::string& args) const { return "tmux -L " + socket_ + " " + args; }
    bool start(const std::string& command) {
        return run_command(tmux("new-session -d -s console -x 160 -y 50 '" + command + "'")).status == 0;
    }
    void keys(const std::string& keys) { run_command(tmux("send-keys -t console " + keys)); }
    std::string screen() { return run_command(tmux("capture-pane -p -t console")).output; }
    bool alive() { return run_command(tmux("has-session -t console")).status == 0; }
    /// Waits until the screen satisfies `ok` (at most 30 s); the last screen.
    std::string wait_for(const std::function<bool(const std::string&)>& ok) {
        std::string s;
        for (int i = 0; i < 300; ++i) {
            s = screen();
            if (ok(s)) break;
            std::this_thread::sleep_for(100ms);
        }
        return s;
    }
    std::string wait_for_text(const std::string& text) {
        return wait_for([&](const std::string& s) { return s.find(text) != std::string::npos; });
    }

private:
    std::string socket_;
};

bool has(const std::string& screen, const std::string& text) { return screen.find(text) != std::string::npos; }

struct Row {
    bool selected = false;
    std::uint64_t id = 0;
    std::string name;
    std::uint64_t polls = 0;
    double busy_ns = 0;
};

double parse_duration(const std::string& s) {
    double v = std::atof(s.c_str());
    if (s.ends_with("ns")) return v;
    if (s.ends_with("us")) return v * 1e3;
    if (s.ends_with("ms")) return v * 1e6;
    return v * 1e9;
}

// The task table's rows, in screen order.
std::vector<Row> table(const std::string& screen) {
    std::vector<Row> rows;
    std::istringstream in(screen);
    std::string line;
    bool in_table = false;
    while (std::getline(in, line)) {
        if (has(line, "ID  NAME")) {
            in_table = true;
            continue;
        }
        if (!in_table || line.size() < 8 || !has(line, "console_demo.cpp")) continue;
        Row r;
        r.selected = line[0] == '>';
        std::istringstream f(line.substr(2));
        std::string state, busy;
        f >> r.id >> r.name >> state >> r.polls >> busy;
        r.busy_ns = parse_duration(busy);
        rows.push_back(r);
    }
    return rows;
}

std::string sorted_by(const char* key) { return std::string("sorted by ") + key; }

}  // namespace

TEST(SamplesConsole, DrivenInTmuxAgainstTheDemo) {
    ASSERT_EQ(run_command("tmux -V").status, 0) << "tmux is missing (make test installs it)";
    ServerProcess demo("console_demo", {"--seconds", "300"});
    ASSERT_GT(demo.pid(), 0);
    ASSERT_TRUE(demo.first_line().starts_with("console path=")) << demo.first_line();
    std::string socket = demo.first_line().substr(13, demo.first_line().find(' ', 13) - 13);
    ASSERT_TRUE(std::filesystem::exists(socket));

    // With no argument: the list of programs to attach to.
    auto listed = run_command(sample_path("pollen-console"));
    EXPECT_EQ(listed.status, 0);
    EXPECT_PRINTS(listed, std::to_string(demo.pid()));

    // --json: one snapshot, the protocol's line.
    auto js = run_command(sample_path("pollen-console") + " --json " + std::to_string(demo.pid()));
    ASSERT_EQ(js.status, 0) << js.output;
    auto snap = nlohmann::json::parse(js.output, nullptr, false);
    ASSERT_TRUE(snap.is_object()) << js.output;
    EXPECT_EQ(snap["v"], 1);
    EXPECT_EQ(snap["tasks"].size(), 8u);

    // --once, by socket path: the overview as text.
    auto once = run_command(sample_path("pollen-console") + " --once --sort polls " + socket);
    ASSERT_EQ(once.status, 0) << once.output;
    EXPECT_PRINTS(once, "Tasks (8), sorted by polls");
    EXPECT_PRINTS(once, "worker-3");

    Tmux tmux;
    std::string status_file = std::filesystem::temp_directory_path() / ("pollen-console-status-" + std::to_string(::getpid()));
    std::filesystem::remove(status_file);
    ASSERT_TRUE(tmux.start(sample_path("pollen-console") + " --interval 200 " + std::to_string(demo.pid()) +
                           "; echo $? > " + status_file));

    // The overview: runtime, workers, the task table sorted by busy time.
    std::string s = tmux.wait_for([](const std::string& s) { return table(s).size() == 8; });
    ASSERT_EQ(table(s).size(), 8u) << s;
    EXPECT_TRUE(has(s, "console_demo (pid " + std::to_string(demo.pid()) + ")")) << s;
    EXPECT_TRUE(has(s, "Runtime: 2 workers")) << s;
    EXPECT_TRUE(has(s, "worker 0  polls")) << s;
    EXPECT_TRUE(has(s, sorted_by("busy"))) << s;
    for (const char* name : {"ticker", "worker-0", "worker-3", "blocker", "spinner", "orphan"})
        EXPECT_TRUE(has(s, name)) << name << "\n" << s;
    auto busy = table(s);
    for (std::size_t i = 1; i < busy.size(); ++i) EXPECT_GE(busy[i - 1].busy_ns, busy[i].busy_ns) << s;
    EXPECT_TRUE(busy[0].selected) << s;

    // The warnings of the three bugs (the blocking poll shows while it lasts).
    s = tmux.wait_for([](const std::string& s) {
        return has(s, "self_wakes: task 7 \"spinner\"") && has(s, "no_waker: task 8 \"orphan\"") &&
               has(s, "long_poll: task 6 \"blocker\"") && has(s, "lost_waker:");
    });
    EXPECT_TRUE(has(s, "self_wakes: task 7 \"spinner\"")) << s;
    EXPECT_TRUE(has(s, "no_waker: task 8 \"orphan\"")) << s;
    EXPECT_TRUE(has(s, "long_poll: task 6 \"blocker\"")) << s;
    EXPECT_TRUE(has(s, "lost_waker:")) << s;

    // Sorting by polls: the spinner (a poll every millisecond) leads.
    tmux.keys("p");
    s = tmux.wait_for_text(sorted_by("polls"));
    auto by_polls = table(s);
    ASSERT_EQ(by_polls.size(), 8u) << s;
    for (std::size_t i = 1; i < by_polls.size(); ++i) EXPECT_GE(by_polls[i - 1].polls, by_polls[i].polls) << s;
    EXPECT_EQ(by_polls[0].name, "spinner") << s;

    // Sorting by id: 1 to 8.
    tmux.keys("i");
    s = tmux.wait_for_text(sorted_by("id"));
    auto by_id = table(s);
    ASSERT_EQ(by_id.size(), 8u) << s;
    for (std::size_t i = 0; i < by_id.size(); ++i) EXPECT_EQ(by_id[i].id, i + 1) << s;

    // j/Down move the selection; Enter opens the task with its histogram.
    tmux.keys("Home");
    tmux.keys("j");
    tmux.keys("Down");
    s = tmux.wait_for([](const std::string& s) {
        auto t = table(s);
        return t.size() == 8 && t[2].selected;
    });
    ASSERT_EQ(table(s).size(), 8u) << s;
    EXPECT_TRUE(table(s)[2].selected) << s;
    tmux.keys("Enter");
    s = tmux.wait_for_text("Poll times (");
    EXPECT_TRUE(has(s, "Task 3 \"worker-1\"")) << s;
    EXPECT_TRUE(has(s, "spawned at samples/console_demo.cpp")) << s;
    EXPECT_TRUE(has(s, "|#")) << s;  // a bar of the histogram
    EXPECT_TRUE(has(s, "us ..") || has(s, "ns ..")) << s;

    // Esc goes back to the table, the selection kept.
    tmux.keys("Escape");
    s = tmux.wait_for_text(sorted_by("id"));
    ASSERT_EQ(table(s).size(), 8u) << s;
    EXPECT_TRUE(table(s)[2].selected) << s;

    // The dump.
    tmux.keys("d");
    s = tmux.wait_for_text("Task dump");
    EXPECT_TRUE(has(s, "name=\"ticker\"")) << s;
    tmux.keys("Escape");
    tmux.wait_for_text(sorted_by("id"));

    // q quits with status 0.
    tmux.keys("q");
    for (int i = 0; i < 300 && !std::filesystem::exists(status_file); ++i) std::this_thread::sleep_for(100ms);
    std::ifstream status(status_file);
    int code = -1;
    status >> code;
    EXPECT_EQ(code, 0);
    std::filesystem::remove(status_file);

    // The demo shuts down on SIGTERM, which removes its socket.
    EXPECT_EQ(demo.stop(SIGTERM), 0);
    EXPECT_FALSE(std::filesystem::exists(socket));
}

TEST(SamplesConsole, ReportsAProgramThatIsNotThere) {
    auto run = run_command(sample_path("pollen-console") + " --once /nonexistent/pollen-console.sock");
    EXPECT_EQ(run.status, 1);
    EXPECT_PRINTS(run, "cannot attach");
}
