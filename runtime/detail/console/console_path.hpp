#pragma once
/// Where live consoles' sockets live (docs/console.md): one Unix socket per
/// runtime that serves one (Builder::console, POLLEN_CONSOLE), by default
/// in a directory of the user's own,
///
///     $XDG_RUNTIME_DIR/pollen-console/PID.sock     when XDG_RUNTIME_DIR is set
///     /tmp/pollen-console-UID/PID.sock             otherwise
///
/// (a second runtime of the same process gets PID-2.sock, and so on). The
/// runtime's console server and the pollen-console client both find it
/// here, so the two agree on one layout.
///
/// Threads: any.

#include <string>

namespace pollen::detail {

/// The directory of default console sockets (not created here).
std::string console_dir();

/// Makes `dir` if missing with mode 0700, and checks that it is a real
/// directory (not a link) owned by this user that nobody else may enter;
/// "" when fine, else why not (another user could reach the socket).
std::string ensure_private_dir(const std::string& dir);

/// The socket path for this process's next default console: PID.sock for
/// the first, PID-N.sock for the N-th.
std::string next_default_console_path();

}  // namespace pollen::detail
