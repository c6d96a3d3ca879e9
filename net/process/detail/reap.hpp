#pragma once
/// process::detail reaping: collecting a child's exit status without
/// blocking, and the orphan list of children whose Child was destroyed
/// before they were reaped (Tokio's orphan queue).
///
/// An orphan is reaped by the next process operation of any thread (a spawn,
/// a try_wait, a poll of a wait future, the destruction of another Child),
/// each of which calls `reap_orphans()`; until then it stays a zombie, as
/// Tokio's does until its next SIGCHLD. Thread-safe: the list is behind a
/// mutex, and an atomic count keeps the common case (no orphans) lock-free.

#include <sys/types.h>

#include <cstddef>
#include <optional>

#include "../../../core/io/error.hpp"

namespace pollen::process::detail {

/// waitpid(pid, WNOHANG): Ok(raw wait status) once the child exited (it is
/// reaped then), Ok(nullopt) while it runs, Err (ECHILD: someone else reaped it).
io::Result<std::optional<int>> try_reap(pid_t pid);

/// Hands an unreaped child over to the orphan list (reaped at once if it
/// already exited).
void push_orphan(pid_t pid);
/// Reaps every orphan that exited since; cheap when there are none.
void reap_orphans();
/// How many orphans wait to be reaped (for tests).
std::size_t orphan_count();

}  // namespace pollen::process::detail
