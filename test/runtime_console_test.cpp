// The live console's server side (Builder::console, docs/console.md): the
// socket is owner-only, a client gets snapshots of the known tasks and the
// dump, the socket goes at shutdown, a client that stops reading blocks
// neither the runtime nor other clients, and the warnings diagnose the bugs
// they name. pollen-console itself is driven in tmux by
// samples_console_test.cpp.

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>
#include <pollen.hpp>
#include <pollen/runtime/detail/console/console_path.hpp>
#include <pollen/runtime/detail/console/console_protocol.hpp>

#include "support/forever_future.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

struct TempDir {
    stdfs::path path;
    TempDir() {
        std::string tmpl = (stdfs::temp_directory_path() / "pollen-console-test-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() { stdfs::remove_all(path); }
    std::string sock(const char* name = "c.sock") const { return (path / name).string(); }
};

// A blocking client of the console socket; every wait is bounded so that a
// bug fails the test instead of hanging it.
struct Client {
    int fd = -1;
    explicit Client(const std::string& path) {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ~Client() {
        if (fd >= 0) ::close(fd);
    }
    bool send_line(const std::string& s) {
        std::string l = s + "\n";
        return ::send(fd, l.data(), l.size(), MSG_NOSIGNAL) == ssize_t(l.size());
    }
    std::string buffered;
    std::string read_line() {
        for (;;) {
            if (std::size_t eol = buffered.find('\n'); eol != std::string::npos) {
                std::string line = buffered.substr(0, eol);
                buffered.erase(0, eol + 1);
                return line;
            }
            char buf[65536];
            pollfd p{fd, POLLIN, 0};
            ssize_t n = ::poll(&p, 1, 30'000) <= 0 ? -1 : ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return std::exchange(buffered, {});
            buffered.append(buf, std::size_t(n));
        }
    }
    json ask(const std::string& request) {
        if (!send_line(request)) return json();
        return json::parse(read_line(), nullptr, false);
    }
};

// Wakes itself `yields` times, then waits forever with its waker kept.
struct YieldThenPark : pollen::FutureExt<YieldThenPark> {
    using Output = int;
    int yields;
    pollen::test::Forever forever{nullptr};
    explicit YieldThenPark(int n) : yields(n) {}
    pollen::Poll<int> poll(pollen::Context& cx) {
        if (yields-- > 0) {
            cx.waker().wake_by_ref();
            return pollen::pending;
        }
        return forever.poll(cx);
    }
};

const json* find_task(const json& snap, const std::string& name) {
    for (const json& t : snap["tasks"])
        if (t["name"] == name) return &t;
    return nullptr;
}

// The runtime's workers (current-thread: the test's thread in block_on)
// run the spawned tasks until they park.
void settle(pollen::Runtime& rt) {
    rt.block_on(pollen::lazy([] {}));
    for (int i = 0; i < 20; ++i) rt.block_on(pollen::yield_now());
}

}  // namespace

TEST(Console, SocketIsOwnerOnlyAndGoesAtShutdown) {
    TempDir dir;
    std::string path = dir.sock();
    {
        auto rt = pollen::Builder::new_current_thread().console_path(path).build();
        ASSERT_EQ(rt.console_path(), path);
        struct stat st {};
        ASSERT_EQ(::lstat(path.c_str(), &st), 0);
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0600u);
        EXPECT_EQ(st.st_uid, ::geteuid());
    }
    EXPECT_FALSE(stdfs::exists(path));
}

TEST(Console, DefaultSocketIsInAPrivateDirectoryNamedByPid) {
    std::string path;
    {
        auto rt = pollen::Builder::new_current_thread().console(true).build();
        path = rt.console_path();
        ASSERT_FALSE(path.empty());
        EXPECT_EQ(stdfs::path(path).parent_path().string(), pollen::detail::console_dir());
        EXPECT_EQ(stdfs::path(path).filename().string().rfind(std::to_string(::getpid()), 0), 0u);
        struct stat st {};
        ASSERT_EQ(::lstat(pollen::detail::console_dir().c_str(), &st), 0);
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0700u);
        ASSERT_EQ(::lstat(path.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
        // A second runtime of the process gets a socket of its own.
        auto rt2 = pollen::Builder::new_current_thread().console(true).build();
        EXPECT_FALSE(rt2.console_path().empty());
        EXPECT_NE(rt2.console_path(), path);
    }
    EXPECT_FALSE(stdfs::exists(path));
}

TEST(Console, ShutdownTimeoutRemovesTheSocketAndForgetsIt) {
    TempDir dir;
    auto rt = pollen::Builder::new_current_thread().console_path(dir.sock()).build();
    ASSERT_TRUE(stdfs::exists(dir.sock()));
    rt.shutdown_background();
    EXPECT_FALSE(stdfs::exists(dir.sock()));
    EXPECT_EQ(rt.console_path(), "");
}

TEST(Console, SnapshotShowsTheNamedTasksAndTheirPolls) {
    TempDir dir;
    auto rt = pollen::Builder::new_current_thread().console_path(dir.sock()).build();
    rt.block_on(pollen::lazy([] {
        pollen::task::Builder().name("alpha").spawn(YieldThenPark(3));
        pollen::task::Builder().name("beta").spawn(YieldThenPark(0));
    }));
    settle(rt);

    Client c(dir.sock());
    ASSERT_GE(c.fd, 0);
    json snap = c.ask("snapshot");
    ASSERT_TRUE(snap.is_object());
    EXPECT_EQ(snap["v"], 1);
    EXPECT_EQ(snap["type"], "snapshot");
    EXPECT_EQ(snap["pid"], ::getpid());
    EXPECT_EQ(snap["flavor"], "current_thread");
    EXPECT_TRUE(snap["runtime"]["task_stats"].get<bool>());  // the console turns statistics on
    EXPECT_EQ(snap["runtime"]["tasks_alive"], 2);
    const json* alpha = find_task(snap, "alpha");
    const json* beta = find_task(snap, "beta");
    ASSERT_TRUE(alpha && beta);
    EXPECT_EQ((*alpha)["polls"], 4);
    EXPECT_EQ((*alpha)["self_wakes"], 3);
    EXPECT_EQ((*alpha)["state"], "idle");
    EXPECT_EQ((*alpha)["file"], std::string(__FILE__));
    EXPECT_EQ((*beta)["polls"], 1);
    EXPECT_EQ((*beta)["self_wakes"], 0);
    // The per-task histogram holds every poll.
    std::uint64_t in_histogram = 0;
    for (const json& c : (*alpha)["poll_times"]) in_histogram += c.get<std::uint64_t>();
    EXPECT_EQ(in_histogram, 4u);
    EXPECT_EQ((*alpha)["poll_times"].size(), pollen::DurationHistogram::kBuckets);

    // The same connection serves the next request, with fresh figures.
    rt.block_on(pollen::lazy([] { pollen::task::Builder().name("gamma").spawn(YieldThenPark(1)); }));
    settle(rt);
    json again = c.ask("snapshot");
    const json* gamma = find_task(again, "gamma");
    ASSERT_TRUE(gamma);
    EXPECT_EQ((*gamma)["polls"], 2);
}

TEST(Console, AnswersWhileEveryWorkerIsBlocked) {
    // The bug the console exists to show: the only worker is stuck in a
    // blocking call; the console's own thread still answers.
    TempDir dir;
    auto rt = pollen::Builder::new_multi_thread().worker_threads(1).console_path(dir.sock()).build();
    std::atomic<bool> release{false};
    std::atomic<bool> blocked{false};
    auto h = pollen::task::Builder().name("stuck").spawn_on(pollen::lazy([&] {
                                                                blocked = true;
                                                                while (!release) std::this_thread::sleep_for(1ms);
                                                            }),
                                                            rt.handle());
    while (!blocked) std::this_thread::sleep_for(1ms);
    Client c(dir.sock());
    json snap = c.ask("snapshot");
    release = true;
    ASSERT_TRUE(snap.is_object());
    const json* stuck = find_task(snap, "stuck");
    ASSERT_TRUE(stuck);
    EXPECT_EQ((*stuck)["state"], "running");
    EXPECT_GE((*stuck)["running_for_ns"].get<std::int64_t>(), 0);
    (void)rt.block_on(std::move(h));
}

TEST(Console, DumpAndUnknownRequests) {
    TempDir dir;
    auto rt = pollen::Builder::new_current_thread().console_path(dir.sock()).build();
    rt.block_on(pollen::lazy([] { pollen::task::Builder().name("dumped").spawn(YieldThenPark(0)); }));
    settle(rt);
    Client c(dir.sock());
    json dump = c.ask("dump");
    EXPECT_EQ(dump["v"], 1);
    EXPECT_EQ(dump["type"], "dump");
    EXPECT_NE(dump["text"].get<std::string>().find("name=\"dumped\""), std::string::npos);
    json bad = c.ask("gimme");
    EXPECT_EQ(bad["v"], 1);
    EXPECT_TRUE(bad.contains("error"));
    // Still serving after a bad request.
    EXPECT_EQ(c.ask("snapshot")["type"], "snapshot");
}

TEST(Console, AClientThatStopsReadingBlocksNeitherTheRuntimeNorOthers) {
    TempDir dir;
    auto rt = pollen::Builder::new_current_thread().console_path(dir.sock()).build();
    // Enough tasks that one reply is far larger than a socket's buffers.
    rt.block_on(pollen::lazy([] {
        for (int i = 0; i < 1500; ++i) pollen::task::Builder().name("t" + std::to_string(i)).spawn(YieldThenPark(0));
    }));
    settle(rt);
    Client stalled(dir.sock());
    ASSERT_GE(stalled.fd, 0);
    // Many requests, none of whose replies it reads: the server answers one
    // at a time and leaves the rest unread.
    std::string many;
    for (int i = 0; i < 100; ++i) many += "snapshot\n";
    ASSERT_EQ(::send(stalled.fd, many.data(), many.size(), MSG_NOSIGNAL), ssize_t(many.size()));

    Client other(dir.sock());
    json snap = other.ask("snapshot");
    ASSERT_TRUE(snap.is_object());
    EXPECT_EQ(snap["tasks"].size(), 1500u);
    // The runtime runs on.
    EXPECT_EQ(rt.block_on(pollen::lazy([] { return 7; })), 7);
    // The stalled client got at most what its buffers hold of the first reply.
    int pending = 0;
    ASSERT_EQ(::ioctl(stalled.fd, FIONREAD, &pending), 0);
    EXPECT_LT(std::size_t(pending), snap.dump().size());
    // Shutdown does not wait for it (the test would hang here otherwise).
    rt.shutdown_background();
    EXPECT_FALSE(stdfs::exists(dir.sock()));
}

TEST(Console, RefusesToReplaceAFileThatIsNotASocket) {
    TempDir dir;
    std::string path = dir.sock("not-a-socket");
    std::ofstream(path) << "precious";
    auto rt = pollen::Builder::new_current_thread().console_path(path).build();
    EXPECT_EQ(rt.console_path(), "");  // runs without a console, with a warning
    std::ifstream in(path);
    std::string content;
    in >> content;
    EXPECT_EQ(content, "precious");
}

TEST(Console, EnvironmentVariable) {
    const char* old = std::getenv("POLLEN_CONSOLE");
    std::string saved = old ? old : "";
    ::setenv("POLLEN_CONSOLE", "1", 1);
    EXPECT_TRUE(pollen::Builder::new_current_thread().config().console);
    EXPECT_EQ(pollen::Builder::new_current_thread().config().console_path, "");
    ::setenv("POLLEN_CONSOLE", "/somewhere/x.sock", 1);
    EXPECT_TRUE(pollen::Builder::new_multi_thread().config().console);
    EXPECT_EQ(pollen::Builder::new_multi_thread().config().console_path, "/somewhere/x.sock");
    ::setenv("POLLEN_CONSOLE", "0", 1);
    EXPECT_FALSE(pollen::Builder::new_current_thread().config().console);
    ::unsetenv("POLLEN_CONSOLE");
    EXPECT_FALSE(pollen::Builder::new_current_thread().config().console);  // off by default
    if (old) ::setenv("POLLEN_CONSOLE", saved.c_str(), 1);
}

TEST(ConsoleWarnings, DiagnoseEachBugAndNotHealthyTasks) {
    using pollen::TaskSnapshot;
    using pollen::TaskState;
    auto now = std::chrono::steady_clock::now();
    auto make = [&](std::uint64_t id, TaskState state) {
        TaskSnapshot t;
        t.id = id;
        t.state = state;
        t.has_stats = true;
        t.polls = 20;
        t.wakes = 20;
        t.waker_clones = 5;
        t.waker_drops = 4;
        t.last_poll_started = now - 3s;
        t.last_poll_ended = now - 3s + 1ms;
        return t;
    };
    TaskSnapshot healthy = make(1, TaskState::Idle);
    TaskSnapshot blocking = make(2, TaskState::Running);
    blocking.last_poll_started = now - 2s;  // started after the last end: still inside
    TaskSnapshot spinning = make(3, TaskState::Scheduled);
    spinning.self_wakes = 15;
    TaskSnapshot orphan = make(4, TaskState::Idle);
    orphan.waker_drops = orphan.waker_clones;
    TaskSnapshot finished = make(5, TaskState::Done);
    finished.waker_drops = finished.waker_clones;
    finished.self_wakes = 20;
    TaskSnapshot short_poll = make(6, TaskState::Running);
    short_poll.last_poll_started = now - 1ms;

    pollen::RuntimeMetrics m;
    m.lost_waker_count = 2;
    auto ws = pollen::detail::console_warnings(m, {healthy, blocking, spinning, orphan, finished, short_poll}, now,
                                               pollen::detail::ConsoleThresholds{});
    std::vector<std::pair<std::string, std::uint64_t>> got;
    for (const auto& w : ws) got.emplace_back(w.kind, w.task);
    std::vector<std::pair<std::string, std::uint64_t>> want{
        {"lost_waker", 0}, {"long_poll", 2}, {"self_wakes", 3}, {"no_waker", 4}};
    EXPECT_EQ(got, want);
    EXPECT_NE(ws[1].message.find("2.0s"), std::string::npos);
    EXPECT_NE(ws[2].message.find("75%"), std::string::npos);

    // An idle task woken since its last poll is not orphaned: it is queued.
    orphan.last_wake = now - 1s;
    EXPECT_TRUE(pollen::detail::console_warnings({}, {orphan}, now, {}).empty());
}
