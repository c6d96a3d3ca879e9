#include "child.hpp"

#include <signal.h>

#include <utility>

#include "../../core/coop.hpp"
#include "../../core/io/read_to_end.hpp"
#include "detail/reap.hpp"

namespace pollen::process {

Child::Child(Child&& other) noexcept
    : stdin(std::move(other.stdin)), stdout(std::move(other.stdout)), stderr(std::move(other.stderr)),
      pid_(std::exchange(other.pid_, -1)), watch_(std::move(other.watch_)), status_(other.status_),
      kill_on_drop_(other.kill_on_drop_) {}

Child& Child::operator=(Child&& other) noexcept {
    if (this != &other) {
        release_process();
        stdin = std::move(other.stdin);
        stdout = std::move(other.stdout);
        stderr = std::move(other.stderr);
        pid_ = std::exchange(other.pid_, -1);
        watch_ = std::move(other.watch_);
        status_ = other.status_;
        kill_on_drop_ = other.kill_on_drop_;
    }
    return *this;
}

Child::~Child() { release_process(); }

void Child::release_process() {
    watch_.reset();
    if (pid_ > 0 && !status_) {
        if (kill_on_drop_) ::kill(pid_, SIGKILL);
        detail::push_orphan(pid_);
    }
    pid_ = -1;
    detail::reap_orphans();
}

std::optional<std::uint32_t> Child::id() const {
    if (pid_ <= 0 || status_) return std::nullopt;
    return static_cast<std::uint32_t>(pid_);
}

io::Result<std::optional<ExitStatus>> Child::try_wait() {
    if (status_) return Ok(status_);
    // A moved-from Child: waitpid(-1) would reap any child of the process.
    if (pid_ <= 0) return Err(io::error(std::errc::invalid_argument));
    detail::reap_orphans();
    auto r = detail::try_reap(pid_);
    if (!r) return Err(r.error());
    if (!*r) return Ok(std::optional<ExitStatus>());
    status_ = ExitStatus::from_raw(**r);
    watch_.reset();
    return Ok(status_);
}

io::Result<void> Child::start_kill() {
    if (status_ || pid_ <= 0) return Err(io::error(std::errc::invalid_argument));
    // Not reaped yet, so the pid is still ours (a zombie at worst): no reuse race.
    if (::kill(pid_, SIGKILL) < 0) return Err(io::Error(errno, std::generic_category()));
    kill_on_drop_ = false;
    return Ok();
}

Poll<io::Result<ExitStatus>> Child::poll_wait(Context& cx) {
    using R = io::Result<ExitStatus>;
    stdin.reset();
    if (status_) return ready(R(Ok(*status_)));
    if (pid_ <= 0) return ready(R(Err(io::error(std::errc::invalid_argument))));
    if (!coop::poll_proceed(cx)) return pending;
    detail::reap_orphans();
    for (;;) {
        auto r = detail::try_reap(pid_);
        if (!r) return ready(R(Err(r.error())));
        if (*r) {
            status_ = ExitStatus::from_raw(**r);
            watch_.reset();
            return ready(R(Ok(*status_)));
        }
        // Parks, or reports a change (then reap again: exit, or a spurious wake).
        auto p = watch_.poll_changed(cx);
        if (p.is_pending()) {
            coop::refund();
            return pending;
        }
        if (auto changed = p.take(); !changed) return ready(R(Err(changed.error())));
    }
}

Poll<ChildKill::Output> ChildKill::poll(Context& cx) {
    if (!sent_) {
        if (auto r = child_->start_kill(); !r) return ready(Output(Err(r.error())));
        sent_ = true;
    }
    auto p = child_->poll_wait(cx);
    if (p.is_pending()) return pending;
    auto r = p.take();
    if (!r) return ready(Output(Err(r.error())));
    return ready(Output(Ok()));
}

struct ChildWaitWithOutput::State {
    explicit State(Child c) : child(std::move(c)) {}
    Child child;
    std::vector<std::byte> out, err;
    // They borrow the pipes, which stay in the Child, and the vectors.
    std::optional<io::ReadToEnd<ChildStdout>> read_out;
    std::optional<io::ReadToEnd<ChildStderr>> read_err;
    std::optional<ExitStatus> status;
    bool started = false, out_done = false, err_done = false;
};

ChildWaitWithOutput::ChildWaitWithOutput(Child child) : state_(std::make_unique<State>(std::move(child))) {}
ChildWaitWithOutput::ChildWaitWithOutput(ChildWaitWithOutput&&) noexcept = default;
ChildWaitWithOutput& ChildWaitWithOutput::operator=(ChildWaitWithOutput&&) noexcept = default;
ChildWaitWithOutput::~ChildWaitWithOutput() = default;

Poll<ChildWaitWithOutput::Output> ChildWaitWithOutput::poll(Context& cx) {
    State& s = *state_;
    if (!s.started) {
        s.started = true;
        s.child.stdin.reset();
        if (s.child.stdout) s.read_out.emplace(*s.child.stdout, s.out);
        else s.out_done = true;
        if (s.child.stderr) s.read_err.emplace(*s.child.stderr, s.err);
        else s.err_done = true;
    }
    if (!s.out_done) {
        if (auto p = s.read_out->poll(cx); p.is_ready()) {
            if (auto r = p.take(); !r) return ready(Output(Err(r.error())));
            s.out_done = true;
        }
    }
    if (!s.err_done) {
        if (auto p = s.read_err->poll(cx); p.is_ready()) {
            if (auto r = p.take(); !r) return ready(Output(Err(r.error())));
            s.err_done = true;
        }
    }
    if (!s.status) {
        if (auto p = s.child.poll_wait(cx); p.is_ready()) {
            auto r = p.take();
            if (!r) return ready(Output(Err(r.error())));
            s.status = *r;
        }
    }
    if (!s.out_done || !s.err_done || !s.status) return pending;
    process::Output out;
    out.status = *s.status;
    out.stdout = std::move(s.out);
    out.stderr = std::move(s.err);
    return ready(Output(Ok(std::move(out))));
}

}  // namespace pollen::process
