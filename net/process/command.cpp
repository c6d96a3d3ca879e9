#include "command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "../../reactor/detail/reactor.hpp"
#include "detail/reap.hpp"
#include "detail/spawn.hpp"

extern "C" char** environ;

namespace pollen::process {

namespace {

io::Error last_error() { return io::Error(errno, std::generic_category()); }

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

/// Closes the fds it holds when it goes (the child's ends, after the spawn).
struct FdList {
    std::array<int, 8> fds{};
    std::size_t n = 0;
    void add(int fd) { fds[n++] = fd; }
    ~FdList() {
        for (std::size_t i = 0; i < n; ++i) ::close(fds[i]);
    }
};

/// One standard stream set up for the spawn: the fd the child gets (-1:
/// inherit) and, for a pipe, our end (not yet registered).
struct StreamSetup {
    int child_fd = -1;
    int our_fd = -1;
};

/// `reading`: the child reads this stream (stdin).
io::Result<StreamSetup> set_up(const Stdio& s, bool reading, FdList& to_close, int& dev_null) {
    StreamSetup out;
    switch (s.kind()) {
        case Stdio::Kind::Inherit:
            return Ok(out);
        case Stdio::Kind::Null:
            if (dev_null < 0) {
                dev_null = detail::above_stdio(::open("/dev/null", O_RDWR | O_CLOEXEC));
                if (dev_null < 0) return Err(last_error());
                to_close.add(dev_null);
            }
            out.child_fd = dev_null;
            return Ok(out);
        case Stdio::Kind::Fd: {
            // A copy above 2: the child's dup2 onto 0..2 must not clobber it.
            int fd = ::fcntl(s.fd(), F_DUPFD_CLOEXEC, 3);
            if (fd < 0) return Err(last_error());
            to_close.add(fd);
            out.child_fd = fd;
            return Ok(out);
        }
        case Stdio::Kind::Piped: {
            int p[2];
            if (::pipe2(p, O_CLOEXEC) < 0) return Err(last_error());
            int theirs = detail::above_stdio(reading ? p[0] : p[1]);
            out.our_fd = reading ? p[1] : p[0];
            if (theirs < 0) {
                auto e = last_error();
                ::close(out.our_fd);
                return Err(e);
            }
            to_close.add(theirs);
            out.child_fd = theirs;
            return Ok(out);
        }
    }
    return Err(io::error(std::errc::invalid_argument));
}

/// SIGKILL and a blocking reap, for a child we cannot hand out after all.
void abandon(pid_t pid) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

io::Result<Child> Command::spawn() {
    // Before anything forks: a child process would make a simulation's run depend on the OS.
    pollen::detail::Reactor::refuse_real_io_in_simulation("process::Command::spawn");
    detail::reap_orphans();
    // Checked before anything starts: a child we could not wait for would be lost.
    if (pollen::detail::Reactor::current() == nullptr) return Err(io::error(std::errc::operation_not_permitted));

    // Everything the child will read is built now: it may not allocate.
    if (has_nul(program_) || (arg0_ && has_nul(*arg0_))) return Err(io::error(std::errc::invalid_argument));
    std::vector<char*> argv;
    argv.reserve(args_.size() + 2);
    std::string arg0 = arg0_.value_or(program_);
    argv.push_back(arg0.data());
    for (std::string& a : args_) {
        if (has_nul(a)) return Err(io::error(std::errc::invalid_argument));
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    std::vector<std::string> env_strings;
    std::vector<char*> envp;
    bool custom_env = env_clear_ || !env_.empty();
    if (custom_env) {
        std::map<std::string, std::string> vars;
        if (!env_clear_ && environ != nullptr) {
            for (char** e = environ; *e != nullptr; ++e) {
                std::string_view kv(*e);
                std::size_t eq = kv.find('=');
                if (eq == std::string_view::npos || eq == 0) continue;
                vars.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
            }
        }
        for (const auto& [k, v] : env_) {
            if (has_nul(k) || k.find('=') != std::string::npos || (v && has_nul(*v)))
                return Err(io::error(std::errc::invalid_argument));
            if (v) vars[k] = *v;
            else vars.erase(k);
        }
        env_strings.reserve(vars.size());
        for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);
        for (std::string& s : env_strings) envp.push_back(s.data());
        envp.push_back(nullptr);
    }
    std::string cwd;
    if (cwd_) {
        cwd = cwd_->string();
        if (has_nul(cwd)) return Err(io::error(std::errc::invalid_argument));
    }

    FdList child_ends;
    int dev_null = -1;
    std::array<StreamSetup, 3> streams;
    std::array<std::optional<detail::Pipe>, 3> ours;
    const Stdio* config[3] = {&stdin_, &stdout_, &stderr_};
    for (int i = 0; i < 3; ++i) {
        auto s = set_up(*config[i], /*reading=*/i == 0, child_ends, dev_null);
        if (!s) return Err(s.error());
        streams[i] = *s;
        if (s->our_fd >= 0) {
            // Registered before the fork, so a failure here starts nothing.
            auto pipe = detail::Pipe::adopt(s->our_fd);
            if (!pipe) return Err(pipe.error());
            ours[i].emplace(std::move(*pipe));
        }
    }

    detail::ExecSpec spec{};
    spec.program = program_.c_str();
    spec.argv = argv.data();
    spec.envp = custom_env ? envp.data() : nullptr;
    spec.cwd = cwd_ ? cwd.c_str() : nullptr;
    spec.fds = {streams[0].child_fd, streams[1].child_fd, streams[2].child_fd};
    spec.process_group = process_group_;
    auto pid = detail::fork_exec(spec);
    if (!pid) return Err(pid.error());

    auto watch = detail::ExitWatch::open(*pid);
    if (!watch) {
        abandon(*pid);
        return Err(watch.error());
    }
    Child child(*pid, std::move(*watch), kill_on_drop_);
    if (ours[0]) child.stdin.emplace(std::move(*ours[0]));
    if (ours[1]) child.stdout.emplace(std::move(*ours[1]));
    if (ours[2]) child.stderr.emplace(std::move(*ours[2]));
    return Ok(std::move(child));
}

CommandStatus::CommandStatus(io::Result<Child> child) {
    if (!child) {
        error_ = child.error();
        return;
    }
    child_.emplace(std::move(*child));
    // Held pipes could keep the child waiting on us while we wait on it.
    child_->stdin.reset();
    child_->stdout.reset();
    child_->stderr.reset();
}

Poll<CommandStatus::Output> CommandStatus::poll(Context& cx) {
    if (error_) return ready(Output(Err(*error_)));
    return child_->poll_wait(cx);
}

CommandOutput::CommandOutput(io::Result<Child> child) {
    if (!child) error_ = child.error();
    else wait_.emplace(std::move(*child));
}

Poll<CommandOutput::Output> CommandOutput::poll(Context& cx) {
    if (error_) return ready(Output(Err(*error_)));
    return wait_->poll(cx);
}

}  // namespace pollen::process
