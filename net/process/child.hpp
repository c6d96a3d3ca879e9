#pragma once
/// process::Child: a running (or finished) child process spawned by
/// `Command::spawn()` (Tokio's `tokio::process::Child`), and the futures of
/// waiting for it.
///
///     auto child = process::Command("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn();
///     ... io::write_all(*child->stdin, bytes) ... io::read_to_end(*child->stdout, out) ...
///     ... child->wait() ...                 // a future: io::Result<ExitStatus>
///
/// `stdin`, `stdout`, `stderr` are the pipes of streams spawned with
/// `Stdio::piped()` (public members, as Tokio's fields; move them out to use
/// them from another task; glibc's stdin/stdout/stderr macros expand to
/// their own names, so they are safe as member names). `wait()` closes stdin first (so a child reading
/// it cannot wait for us while we wait for it), then is Ready with the exit
/// status once the child exited, reaping it; later waits give the same
/// status. It is woken by the reactor's thread through the child's pidfd (or
/// SIGCHLD, see detail/exit_watch.hpp): no thread per child. Destroying a
/// wait mid-way loses nothing (Tokio's "cancel safe"): wait again.
/// `try_wait()` checks without waiting (and without closing stdin).
/// `start_kill()` sends SIGKILL; `kill()` is the future of start_kill then
/// wait. `wait_with_output()` consumes the Child and collects what is left on
/// its stdout and stderr pipes while waiting.
///
/// Destroying a Child does not stop the process (as in Tokio and Rust's std)
/// unless the Command asked for `kill_on_drop(true)`: then SIGKILL is sent,
/// unless the child was already reaped. A destroyed Child that was not
/// reaped joins the orphan list (detail/reap.hpp): reaped by the next
/// process operation (spawn, try_wait, a wait's poll, another Child's
/// destruction), a zombie until then, as Tokio's are until its next SIGCHLD.
///
/// A wait future borrows the Child, which must outlive it and not move
/// while it is pending. Distinct objects: safe; shared objects: unsafe (one
/// task waits; the pipes, once moved out, are used by whichever task owns them).

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "../../core/future_ext.hpp"
#include "../../core/io/error.hpp"
#include "child_stdio.hpp"
#include "detail/exit_watch.hpp"
#include "exit_status.hpp"

namespace pollen::process {

class Command;
class Child;

/// The future of `Child::wait()`: io::Result<ExitStatus>.
class ChildWait : public FutureExt<ChildWait> {
public:
    using Output = io::Result<ExitStatus>;
    explicit ChildWait(Child& child) : child_(&child) {}
    Poll<Output> poll(Context& cx);

private:
    Child* child_;
};

/// The future of `Child::kill()`: SIGKILL at the first poll, then wait;
/// io::Result<void>. Err(invalid_argument) if the child was already reaped.
class ChildKill : public FutureExt<ChildKill> {
public:
    using Output = io::Result<void>;
    explicit ChildKill(Child& child) : child_(&child) {}
    Poll<Output> poll(Context& cx);

private:
    Child* child_;
    bool sent_ = false;
};

class ChildWaitWithOutput;

class Child {
public:
    /// The pipes of the streams spawned with `Stdio::piped()`.
    std::optional<ChildStdin> stdin;
    std::optional<ChildStdout> stdout;
    std::optional<ChildStderr> stderr;

    Child(Child&& other) noexcept;
    Child& operator=(Child&& other) noexcept;
    ~Child();

    /// The process id while the child has not been reaped; nullopt after
    /// (the id may belong to another process by then).
    std::optional<std::uint32_t> id() const;

    /// Closes stdin, then waits for the child to exit (see above).
    ChildWait wait() { return ChildWait(*this); }
    /// Ok(status) if the child exited (reaping it), Ok(nullopt) if it runs.
    io::Result<std::optional<ExitStatus>> try_wait();
    /// Sends SIGKILL without waiting; Err(invalid_argument) once reaped.
    io::Result<void> start_kill();
    /// start_kill, then wait (Tokio's `kill().await`).
    ChildKill kill() { return ChildKill(*this); }
    /// Consumes the Child: closes stdin, then waits for the exit while
    /// reading stdout and stderr (the piped ones) to their end.
    ChildWaitWithOutput wait_with_output() &&;

    /// What ChildWait::poll runs: closes stdin, reaps or parks.
    Poll<io::Result<ExitStatus>> poll_wait(Context& cx);

private:
    friend class Command;
    Child(pid_t pid, detail::ExitWatch watch, bool kill_on_drop)
        : pid_(pid), watch_(std::move(watch)), kill_on_drop_(kill_on_drop) {}
    /// The destructor's work: kill if asked, hand an unreaped child to the orphans.
    void release_process();

    pid_t pid_ = -1;
    detail::ExitWatch watch_;
    std::optional<ExitStatus> status_;
    bool kill_on_drop_ = false;
};

inline Poll<ChildWait::Output> ChildWait::poll(Context& cx) { return child_->poll_wait(cx); }

/// The future of `Child::wait_with_output()` (and of `Command::output()`):
/// io::Result<process::Output>. Owns the Child; reads stdout and stderr
/// concurrently with the wait, so a child filling one pipe while we read the
/// other cannot deadlock. The first error ends it (the rest is dropped, as
/// Tokio's try_join3). Its state is on the heap (one allocation, next to a
/// fork it is nothing), so it is small and may be moved at any time.
/// Destroying it mid-way destroys the Child (kill_on_drop applies) and what
/// was read.
class ChildWaitWithOutput : public FutureExt<ChildWaitWithOutput> {
public:
    using Output = io::Result<process::Output>;
    explicit ChildWaitWithOutput(Child child);
    ChildWaitWithOutput(ChildWaitWithOutput&&) noexcept;
    ChildWaitWithOutput& operator=(ChildWaitWithOutput&&) noexcept;
    ~ChildWaitWithOutput();

    Poll<Output> poll(Context& cx);

private:
    struct State;
    std::unique_ptr<State> state_;
};

inline ChildWaitWithOutput Child::wait_with_output() && { return ChildWaitWithOutput(std::move(*this)); }

}  // namespace pollen::process
