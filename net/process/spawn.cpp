// detail/spawn.hpp's implementation; here because the Makefile compiles .cpp files two folders deep.
#include "detail/spawn.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

extern "C" char** environ;

namespace pollen::process::detail {

namespace {

io::Error last_error() { return io::Error(errno, std::generic_category()); }

/// The child, between fork and exec: async-signal-safe calls only.
[[noreturn]] void run_child(const ExecSpec& spec, int report_fd) {
    // Handlers inherited from this process must not run in the child: reset
    // them (signals are still blocked), then unblock everything.
    for (int s = 1; s < NSIG; ++s) {
        struct sigaction sa;
        if (::sigaction(s, nullptr, &sa) != 0) continue;
        bool handled = sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN;
        if (handled || (s == SIGPIPE && sa.sa_handler == SIG_IGN)) {
            sa.sa_handler = SIG_DFL;
            sa.sa_flags = 0;
            ::sigaction(s, &sa, nullptr);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    ::pthread_sigmask(SIG_SETMASK, &none, nullptr);

    int err = 0;
    const int targets[3] = {0, 1, 2};
    const int sources[3] = {spec.fds.in, spec.fds.out, spec.fds.err};
    for (int i = 0; i < 3 && err == 0; ++i)
        if (sources[i] >= 0 && ::dup2(sources[i], targets[i]) < 0) err = errno;
    if (err == 0 && spec.process_group && ::setpgid(0, *spec.process_group) < 0) err = errno;
    if (err == 0 && spec.cwd && ::chdir(spec.cwd) < 0) err = errno;
    if (err == 0) {
        // execvp searches the PATH of `environ`: the child's own environment.
        if (spec.envp) environ = const_cast<char**>(spec.envp);
        ::execvp(spec.program, spec.argv);
        err = errno;
    }
    std::int32_t code = err;
    ssize_t rc = ::write(report_fd, &code, sizeof code);
    (void)rc;
    ::_exit(127);
}

}  // namespace

int above_stdio(int fd) {
    if (fd < 0 || fd > 2) return fd;
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    int saved = errno;
    ::close(fd);
    errno = saved;
    return moved;
}

io::Result<pid_t> fork_exec(const ExecSpec& spec) {
    int report[2];
    if (::pipe2(report, O_CLOEXEC) < 0) return Err(last_error());
    report[0] = above_stdio(report[0]);
    report[1] = above_stdio(report[1]);
    if (report[0] < 0 || report[1] < 0) {
        auto e = last_error();
        if (report[0] >= 0) ::close(report[0]);
        if (report[1] >= 0) ::close(report[1]);
        return Err(e);
    }

    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = ::fork();
    if (pid == 0) run_child(spec, report[1]);
    int fork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ::close(report[1]);
    if (pid < 0) {
        ::close(report[0]);
        return Err(io::Error(fork_errno, std::generic_category()));
    }

    // End of file: the exec closed the pipe. Four bytes: the child's errno.
    std::int32_t code = 0;
    std::size_t got = 0;
    while (got < sizeof code) {
        ssize_t n = ::read(report[0], reinterpret_cast<char*>(&code) + got, sizeof code - got);
        if (n > 0) got += static_cast<std::size_t>(n);
        else if (n < 0 && errno == EINTR) continue;
        else break;
    }
    ::close(report[0]);
    if (got == 0) return Ok(pid);

    // The child exits at once after reporting: reap it here.
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    if (got < sizeof code || code == 0) return Err(io::error(std::errc::io_error));
    return Err(io::Error(code, std::generic_category()));
}

}  // namespace pollen::process::detail
