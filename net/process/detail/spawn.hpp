#pragma once
/// process::detail::fork_exec: starts a program in a new process with fork
/// and exec, reporting a failed exec (program not found, not executable,
/// a bad working directory) as the spawn's error: the classic close-on-exec
/// error pipe, which the exec closes on success and the child writes its
/// errno into on failure.
///
/// Everything the child touches is prepared by the caller before the fork:
/// between fork and exec the child only makes async-signal-safe calls (no
/// allocation, no lock), which is what a fork from a multi-threaded process
/// allows. All signals are blocked across the fork, so no handler of this
/// process (pollen::signal's among them) runs in the child; the child resets
/// handled signals and SIGPIPE to their defaults and starts with an empty
/// signal mask, as Rust's std does.

#include <sys/types.h>

#include <optional>

#include "../../../core/io/error.hpp"

namespace pollen::process::detail {

/// The child's standard streams: an fd to dup2 onto 0, 1, 2, or -1 to inherit.
struct ChildFds {
    int in = -1;
    int out = -1;
    int err = -1;
};

struct ExecSpec {
    const char* program;               // searched in PATH (the child's) when it has no '/'
    char* const* argv;                 // null-terminated
    char* const* envp;                 // null-terminated, or nullptr to inherit
    const char* cwd;                   // or nullptr
    ChildFds fds;                      // every fd >= 3 (see above_stdio)
    std::optional<pid_t> process_group;  // setpgid(0, pgid) in the child
};

/// Forks and execs; Ok(pid) once the program runs, Err(the child's errno)
/// if it could not (the child is reaped then).
io::Result<pid_t> fork_exec(const ExecSpec& spec);

/// `fd` moved to a number >= 3 (close-on-exec), so that the child's dup2
/// onto 0, 1, 2 cannot overwrite it; -1 with errno on failure (fd closed).
int above_stdio(int fd);

}  // namespace pollen::process::detail
