#pragma once
/// Builder::dump_on_signal's listener: a task of the runtime that waits for
/// the signal (reactor/signal.hpp: the handler only writes to a self-pipe;
/// the reactor's thread wakes this task, so nothing runs in the handler) and
/// then writes Runtime::dump()'s text to stderr or appends it to a file.
/// It shows in the dumps it writes, as a running task.

#include <memory>
#include <string>

namespace pollen::detail {

class Scheduler;

/// Installs the handler of `signo` now (a delivery right after build() is
/// not lost, and no longer kills the process) and spawns the listener on `s`.
/// `path` empty: stderr. Throws std::invalid_argument if `signo` cannot be
/// listened to.
void start_dump_on_signal(const std::shared_ptr<Scheduler>& s, int signo, const std::string& path);

/// "USR1", "SIGUSR1" or "10" as a signal number; 0 if it is none of those.
int parse_signal_name(const std::string& name);

}  // namespace pollen::detail
