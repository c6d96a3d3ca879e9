// process::Command and Child (Tokio's tokio::process): output and status,
// exit codes and signals, piped stdin/stdout/stderr as AsyncWrite/AsyncRead,
// a big output read without deadlock, spawn errors, kill, kill_on_drop and
// the reaping of dropped children, many children at once, a cancelled wait,
// the environment and working directory; both runtime flavours, and the
// SIGCHLD fallback used where pidfds are unavailable.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/async_fn.hpp>
#include <pollen/core/async_move.hpp>
#include <pollen/core/io/read_to_end.hpp>
#include <pollen/core/io/shutdown.hpp>
#include <pollen/core/io/write_all.hpp>
#include <pollen/core/join_all.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>
#include <pollen/net/process/command.hpp>
#include <pollen/net/process/detail/exit_watch.hpp>
#include <pollen/net/process/detail/reap.hpp>
#include <pollen/reactor/timeout.hpp>
#include <pollen/runtime/runtime.hpp>

#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace std::chrono_literals;
using process::Command;
using process::ExitStatus;
using process::Stdio;

namespace {

Runtime make_runtime(bool multi_thread) {
    if (multi_thread) return Builder::new_multi_thread().worker_threads(2).enable_all().build();
    return Builder::new_current_thread().enable_all().build();
}

std::string text(const std::vector<std::byte>& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

/// A pidfd of our own for `pid`, to watch a child independently of its Child.
int open_pidfd(std::uint32_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
/// Blocks (up to 10 s, a hang turned into a failure) until the process exits.
bool exited(int pidfd) {
    pollfd p{pidfd, POLLIN, 0};
    int n;
    while ((n = ::poll(&p, 1, 10'000)) < 0 && errno == EINTR) {
    }
    return n == 1;
}
/// True while the process exists (a zombie counts): signal 0 through the pidfd.
bool exists(int pidfd) { return ::syscall(SYS_pidfd_send_signal, pidfd, 0, nullptr, 0) == 0; }

/// Both flavours; the parameter is "multi-thread".
class Process : public ::testing::TestWithParam<bool> {};

// async fn cat_round_trip(msg) -> io::Result<(String, ExitStatus)>:
//   write msg into cat's stdin, shut it down, read stdout to the end, wait.
struct CatRoundTrip : Async<CatRoundTrip, io::Result<std::pair<std::string, ExitStatus>>> {
    std::string msg;
    std::optional<process::Child> child;
    std::vector<std::byte> out;
    std::size_t n = 0;
    ExitStatus status = ExitStatus::from_raw(0);
    POLLEN_FRAME;
    explicit CatRoundTrip(std::string m) : msg(std::move(m)) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_TRY(child, Command("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn());
        POLLEN_AWAIT_TRY(io::write_all(*child->stdin, msg));
        POLLEN_AWAIT_TRY(io::shutdown(*child->stdin));  // cat reads end of file
        POLLEN_LET_TRY(n, io::read_to_end(*child->stdout, out));
        POLLEN_LET_TRY(status, child->wait());
        POLLEN_RETURN(Ok(std::pair{text(out), status}));
        POLLEN_END;
    }
};

}  // namespace

TEST_P(Process, OutputCapturesStdoutOfEchoHello) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto out = rt.block_on(Command("echo").arg("hello").output());
    ASSERT_TRUE(out.is_ok()) << out.error().message();
    EXPECT_EQ(text(out->stdout), "hello\n");
    EXPECT_TRUE(out->stderr.empty());
    EXPECT_TRUE(out->status.success());
    EXPECT_EQ(out->status.code(), 0);
    EXPECT_EQ(out->status.signal(), std::nullopt);
}

TEST_P(Process, OutputCapturesStderrSeparately) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto out = rt.block_on(Command("sh").args({"-c", "echo to-out; echo to-err >&2; exit 4"}).output());
    ASSERT_TRUE(out.is_ok()) << out.error().message();
    EXPECT_EQ(text(out->stdout), "to-out\n");
    EXPECT_EQ(text(out->stderr), "to-err\n");
    EXPECT_EQ(out->status.code(), 4);
}

TEST_P(Process, StatusGivesTheExitCode) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto st = rt.block_on(Command("sh").args({"-c", "exit 3"}).status());
    ASSERT_TRUE(st.is_ok()) << st.error().message();
    EXPECT_FALSE(st->success());
    EXPECT_EQ(st->code(), 3);
    EXPECT_EQ(st->signal(), std::nullopt);
    EXPECT_EQ(st->to_string(), "exit status: 3");
    EXPECT_EQ(st->into_raw(), 3 << 8);
}

TEST_P(Process, StatusClosesPipedHandlesSoTheChildSeesEndOfFile) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    // cat would wait forever on a stdin pipe we kept open.
    auto st = rt.block_on(Command("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).status());
    ASSERT_TRUE(st.is_ok()) << st.error().message();
    EXPECT_TRUE(st->success());
}

TEST_P(Process, KillEndsTheChildWithSignal9) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto child = Command("sleep").arg("1000").spawn();
    ASSERT_TRUE(child.is_ok()) << child.error().message();
    ASSERT_TRUE(child->id().has_value());
    EXPECT_EQ(child->try_wait().value(), std::nullopt);  // still running
    ASSERT_TRUE(rt.block_on(child->kill()).is_ok());
    auto st = rt.block_on(child->wait());  // the same status again
    ASSERT_TRUE(st.is_ok());
    EXPECT_EQ(st->signal(), SIGKILL);
    EXPECT_EQ(st->code(), std::nullopt);
    EXPECT_FALSE(st->success());
    EXPECT_EQ(st->to_string(), "signal: 9 (SIGKILL)");
    EXPECT_EQ(child->try_wait().value(), st.value());
    EXPECT_EQ(child->id(), std::nullopt);  // reaped: the pid is no longer ours
    auto again = child->start_kill();
    ASSERT_TRUE(again.is_err());
    EXPECT_EQ(again.error(), std::errc::invalid_argument);
}

TEST_P(Process, StdinPipedToCatComesBackOnStdout) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto r = rt.block_on(CatRoundTrip("hello cat\nsecond line\n"));
    ASSERT_TRUE(r.is_ok()) << r.error().message();
    EXPECT_EQ(r->first, "hello cat\nsecond line\n");
    EXPECT_TRUE(r->second.success());
}

TEST_P(Process, BigOutputOnBothStreamsDoesNotDeadlock) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    // Far beyond a pipe's 64 KiB on each stream: reading one while the child
    // blocks on the other would hang.
    auto out = rt.block_on(Command("sh")
                               .args({"-c", "head -c 10000000 /dev/zero; head -c 3000000 /dev/zero >&2;"
                                            " head -c 1000000 /dev/zero"})
                               .output());
    ASSERT_TRUE(out.is_ok()) << out.error().message();
    EXPECT_EQ(out->stdout.size(), 11'000'000u);
    EXPECT_EQ(out->stderr.size(), 3'000'000u);
    EXPECT_TRUE(out->status.success());
}

TEST_P(Process, ProgramNotFoundIsNotFoundFromSpawn) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto by_name = Command("pollen-no-such-program-4711").spawn();
    ASSERT_TRUE(by_name.is_err());
    EXPECT_EQ(by_name.error(), std::errc::no_such_file_or_directory);
    auto by_path = Command("/nonexistent/dir/prog").spawn();
    ASSERT_TRUE(by_path.is_err());
    EXPECT_EQ(by_path.error(), std::errc::no_such_file_or_directory);
    // A file that is not executable.
    auto not_exec = Command("/etc/passwd").spawn();
    ASSERT_TRUE(not_exec.is_err());
    EXPECT_EQ(not_exec.error(), std::errc::permission_denied);
    // status() and output() report the same error from their future.
    auto st = rt.block_on(Command("pollen-no-such-program-4711").status());
    ASSERT_TRUE(st.is_err());
    EXPECT_EQ(st.error(), std::errc::no_such_file_or_directory);
    auto bad_dir = Command("true").current_dir("/nonexistent/dir").spawn();
    ASSERT_TRUE(bad_dir.is_err());
    EXPECT_EQ(bad_dir.error(), std::errc::no_such_file_or_directory);
}

TEST_P(Process, KillOnDropKillsAndTheOrphanIsReaped) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    int pidfd = -1;
    {
        auto child = Command("sleep").arg("1000").kill_on_drop(true).spawn();
        ASSERT_TRUE(child.is_ok()) << child.error().message();
        pidfd = open_pidfd(child->id().value());
        ASSERT_GE(pidfd, 0);
    }  // dropped unreaped: SIGKILL, then the orphan list
    ASSERT_TRUE(exited(pidfd)) << "the child outlived its Child";
    // The next process operation reaps the orphan.
    ASSERT_TRUE(rt.block_on(Command("true").status()).is_ok());
    EXPECT_FALSE(exists(pidfd)) << "still a zombie";
    ::close(pidfd);
}

TEST_P(Process, WithoutKillOnDropTheChildGoesOn) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    int pidfd = -1;
    {
        auto child = Command("sleep").arg("1000").spawn();
        ASSERT_TRUE(child.is_ok()) << child.error().message();
        pidfd = open_pidfd(child->id().value());
        ASSERT_GE(pidfd, 0);
    }
    pollfd p{pidfd, POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 0), 0) << "dropping the Child stopped the process";
    EXPECT_GE(process::detail::orphan_count(), 1u);
    // Clean up: kill it ourselves; the orphan list reaps it.
    ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
    ASSERT_TRUE(exited(pidfd));
    ASSERT_TRUE(rt.block_on(Command("true").status()).is_ok());
    EXPECT_FALSE(exists(pidfd));
    ::close(pidfd);
}

TEST_P(Process, DestroyedStatusAndOutputFuturesWithKillOnDropKillTheirChild) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    // Each child holds the write end of a pipe as its stdin: once every
    // holder is gone (the child killed), our read end sees end of file.
    auto holder_died = [](int read_end) {
        pollfd p{read_end, POLLIN, 0};
        int n;
        while ((n = ::poll(&p, 1, 10'000)) < 0 && errno == EINTR) {
        }
        char c;
        return n == 1 && ::read(read_end, &c, 1) == 0;
    };
    int a[2], b[2];
    ASSERT_EQ(::pipe2(a, O_CLOEXEC), 0);
    ASSERT_EQ(::pipe2(b, O_CLOEXEC), 0);
    {
        auto st = Command("sleep").arg("1000").stdin(Stdio::from_fd(a[1])).kill_on_drop(true).status();
        (void)st;  // destroyed unpolled: as mid-way for the Child it owns
    }
    EXPECT_TRUE(holder_died(a[0]));
    {
        Command cmd("sleep");
        cmd.arg("1000").stdin(Stdio::from_fd(b[1])).kill_on_drop(true);
        auto r = rt.block_on(time::timeout(20ms, cmd.output()));
        EXPECT_TRUE(r.is_err());  // Elapsed: the output future was destroyed mid-way
    }  // the Command (our copy of b[1]) goes too
    EXPECT_TRUE(holder_died(b[0]));
    ::close(a[0]);
    ::close(b[0]);
}

TEST_P(Process, FiftyConcurrentChildrenAreAllWaited) {
    Runtime rt = make_runtime(GetParam());
    std::vector<JoinHandle<io::Result<ExitStatus>>> tasks;
    for (int i = 0; i < 50; ++i) {
        // Spawned inside the task (status() spawns when called).
        tasks.push_back(rt.spawn(async_move(i, [](int& code) {
            return Command("sh").args({"-c", "exit " + std::to_string(code % 7)}).status();
        })));
    }
    auto all = rt.block_on(join_all(std::move(tasks)));
    ASSERT_EQ(all.size(), 50u);
    for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(all[i].is_ok());
        ASSERT_TRUE(all[i]->is_ok()) << all[i]->error().message();
        EXPECT_EQ(all[i]->value().code(), i % 7) << i;
    }
}

TEST_P(Process, ACancelledWaitLosesNothingAndWaitingAgainWorks) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto child = Command("sleep").arg("1000").spawn();
    ASSERT_TRUE(child.is_ok());
    // A wait cut by a timeout: destroyed while parked on the child's exit.
    auto first = rt.block_on(time::timeout(20ms, child->wait()));
    EXPECT_TRUE(first.is_err());
    EXPECT_TRUE(child->id().has_value());
    ASSERT_TRUE(child->start_kill().is_ok());
    auto st = rt.block_on(child->wait());
    ASSERT_TRUE(st.is_ok()) << st.error().message();
    EXPECT_EQ(st->signal(), SIGKILL);
}

TEST_P(Process, AWaitIsWokenWhenTheChildExitsLater) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto child = Command("sh").args({"-c", "sleep 0.2; exit 7"}).spawn();
    ASSERT_TRUE(child.is_ok());
    auto st = rt.block_on(child->wait());
    ASSERT_TRUE(st.is_ok()) << st.error().message();
    EXPECT_EQ(st->code(), 7);
}

TEST_P(Process, EnvEnvRemoveAndCurrentDir) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    ::setenv("POLLEN_PROCESS_TEST_GONE", "inherited", 1);
    ::setenv("POLLEN_PROCESS_TEST_KEPT", "kept", 1);
    auto out = rt.block_on(Command("sh")
                               .args({"-c", "echo \"$FOO|${POLLEN_PROCESS_TEST_GONE-unset}|$POLLEN_PROCESS_TEST_KEPT|$(pwd)\""})
                               .env("FOO", "bar")
                               .env_remove("POLLEN_PROCESS_TEST_GONE")
                               .current_dir("/tmp")
                               .output());
    ASSERT_TRUE(out.is_ok()) << out.error().message();
    EXPECT_EQ(text(out->stdout), "bar|unset|kept|/tmp\n");

    // env_clear: only what is added afterwards (and the program is still
    // found: with no PATH, the default search path).
    auto cleared = rt.block_on(Command("env").env_clear().env("ONLY", "1").output());
    ASSERT_TRUE(cleared.is_ok()) << cleared.error().message();
    EXPECT_EQ(text(cleared->stdout), "ONLY=1\n");
    ::unsetenv("POLLEN_PROCESS_TEST_GONE");
    ::unsetenv("POLLEN_PROCESS_TEST_KEPT");
}

TEST_P(Process, ThePathSearchedIsTheChildsOwn) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto r = Command("sh").env("PATH", "/nonexistent").spawn();
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::no_such_file_or_directory);
}

TEST_P(Process, Arg0AndNullStdio) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto out = rt.block_on(
        Command("sh").arg0("my-name").args({"-c", "echo $0; cat"}).stdin(Stdio::null()).output());
    ASSERT_TRUE(out.is_ok()) << out.error().message();
    EXPECT_EQ(text(out->stdout), "my-name\n");  // cat read /dev/null: nothing
}

TEST_P(Process, WaitWithOutputClosesStdinAndCollects) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto child = Command("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn();
    ASSERT_TRUE(child.is_ok());
    auto out = rt.block_on(std::move(*child).wait_with_output());
    ASSERT_TRUE(out.is_ok()) << out.error().message();
    EXPECT_TRUE(out->stdout.empty());
    EXPECT_TRUE(out->status.success());
}

TEST_P(Process, WritingToAChildThatClosedItsStdinIsBrokenPipeNotSigpipe) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto child = Command("true").stdin(Stdio::piped()).spawn();
    ASSERT_TRUE(child.is_ok());
    process::ChildStdin in = std::move(*std::exchange(child->stdin, std::nullopt));
    ASSERT_TRUE(rt.block_on(child->wait()).is_ok());  // its end of the pipe is closed now
    std::string big(1 << 20, 'x');
    auto w = rt.block_on(io::write_all(in, big));
    ASSERT_TRUE(w.is_err());
    EXPECT_EQ(w.error(), std::errc::broken_pipe);
    // After shutdown, writes fail too.
    ASSERT_TRUE(rt.block_on(io::shutdown(in)).is_ok());
    EXPECT_EQ(in.as_raw_fd(), -1);
    auto again = rt.block_on(io::write_all(in, std::string_view("y")));
    ASSERT_TRUE(again.is_err());
    EXPECT_EQ(again.error(), std::errc::broken_pipe);
}

TEST_P(Process, OneChildsStdoutBecomesAnothersStdin) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    auto echo = Command("echo").arg("hello world!").stdout(Stdio::piped()).spawn();
    ASSERT_TRUE(echo.is_ok());
    auto stdio = std::move(*std::exchange(echo->stdout, std::nullopt)).into_stdio();
    ASSERT_TRUE(stdio.is_ok()) << stdio.error().message();
    auto tr = Command("tr").args({"a-z", "A-Z"}).stdin(std::move(*stdio)).stdout(Stdio::piped()).spawn();
    ASSERT_TRUE(tr.is_ok());
    auto [echo_status, tr_output] = rt.block_on(join(echo->wait(), std::move(*tr).wait_with_output()));
    ASSERT_TRUE(echo_status.is_ok());
    EXPECT_TRUE(echo_status->success());
    ASSERT_TRUE(tr_output.is_ok()) << tr_output.error().message();
    EXPECT_EQ(text(tr_output->stdout), "HELLO WORLD!\n");
}

TEST_P(Process, ProcessGroupZeroStartsANewGroup) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    // In its own group, the shell's pgid is its pid.
    auto out = rt.block_on(Command("sh").args({"-c", "ps -o pgid= -p $$ | tr -d ' '; echo $$"}).process_group(0).output());
    ASSERT_TRUE(out.is_ok()) << out.error().message();
    std::string s = text(out->stdout);
    auto nl = s.find('\n');
    ASSERT_NE(nl, std::string::npos) << s;
    if (s.substr(0, nl).empty()) GTEST_SKIP() << "ps is unavailable";
    EXPECT_EQ(s.substr(0, nl) + "\n", s.substr(nl + 1));
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, Process, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });

namespace {

/// The fallback's scenario; what went wrong, or "" (checked in a child
/// process: see below).
std::string sigchld_fallback_scenario() {
    process::detail::disable_pidfd_for_testing(true);
    Runtime rt = make_runtime(true);
    auto guard = rt.enter();
    auto out = rt.block_on(Command("sh").args({"-c", "sleep 0.1; echo late"}).output());
    if (!out) return "output: " + out.error().message();
    if (text(out->stdout) != "late\n") return "output: got '" + text(out->stdout) + "'";
    struct sigaction sa {};
    if (::sigaction(SIGCHLD, nullptr, &sa) != 0 || sa.sa_handler == SIG_DFL)
        return "no SIGCHLD handler: the pidfd was used after all";
    auto child = Command("sleep").arg("1000").spawn();
    if (!child) return "spawn: " + child.error().message();
    if (auto k = rt.block_on(child->kill()); !k) return "kill: " + k.error().message();
    auto st = child->try_wait();
    if (!st || !*st || (*st)->signal() != SIGKILL) return "kill did not end the child with SIGKILL";
    std::vector<JoinHandle<io::Result<ExitStatus>>> tasks;
    for (int i = 0; i < 10; ++i)
        tasks.push_back(rt.spawn(async_move(0, [](int&) { return Command("true").status(); })));
    for (auto& r : rt.block_on(join_all(std::move(tasks))))
        if (!r || !*r || !(*r)->success()) return "a concurrent status failed";
    return "";
}

}  // namespace

// In a child process of its own (a death test): the fallback installs a
// process-wide SIGCHLD handler, which would turn later blocking calls of
// other tests (poll) into EINTR.
TEST(ProcessSigchldFallbackDeathTest, WaitOutputAndKillWorkWithoutPidfds) {
    EXPECT_EXIT(
        {
            std::string failure = sigchld_fallback_scenario();
            std::fprintf(stderr, "%s\n", failure.empty() ? "fallback ok" : failure.c_str());
            std::fflush(stderr);
            std::_Exit(failure.empty() ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "fallback ok");
}

// A wait cut at every point leaves the child waitable and its status intact:
// poll (parked on the pidfd), step (the child is killed, the reactor wakes
// the wait), poll (Ready). The pidfd's slot keeps the last waker until the
// child is reaped, as a socket's does, so wakers are checked after teardown.
TEST(ProcessCancelEveryPoint, WaitLosesNoStatus) {
    Runtime rt = Builder::new_current_thread().enable_all().build();
    test::EnterRuntime enter(rt);
    std::optional<process::Child> child;
    auto r = pollen::testing::cancel_at_every_point([&] { return child->wait(); })
                 .setup([&] { child.emplace(Command("sleep").arg("1000").kill_on_drop(true).spawn().unwrap()); })
                 .step([&](const pollen::testing::Step& s) {
                     ASSERT_TRUE(child->start_kill().is_ok());
                     EXPECT_TRUE(test::run_until(rt, [&] { return s.woken_since_poll(); })) << "never woken";
                 })
                 .on_output([](io::Result<ExitStatus>& st) { return st.is_ok() && st->signal() == SIGKILL; })
                 .invariant("the child can still be waited, with its status", [&] {
                     if (child->id()) (void)child->start_kill();
                     auto st = rt.block_on(child->wait());
                     return st.is_ok() && st->signal() == SIGKILL && !child->id();
                 })
                 .teardown([&] { child.reset(); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(ProcessOutsideARuntime, SpawnIsAnErrorAndStartsNothing) {
    auto r = Command("true").spawn();
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::operation_not_permitted);
}

TEST(ProcessExitStatus, RawStatusRoundTripsAndPrints) {
    ExitStatus killed = ExitStatus::from_raw(SIGKILL);
    EXPECT_EQ(killed.signal(), SIGKILL);
    EXPECT_FALSE(killed.core_dumped());
    ExitStatus dumped = ExitStatus::from_raw(SIGABRT | 0x80);
    EXPECT_TRUE(dumped.core_dumped());
    EXPECT_EQ(dumped.to_string(), "signal: 6 (SIGABRT) (core dumped)");
    EXPECT_EQ(ExitStatus::from_raw(0).to_string(), "exit status: 0");
    EXPECT_TRUE(ExitStatus::from_raw(0).success());
}
