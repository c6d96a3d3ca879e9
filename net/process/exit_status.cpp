#include "exit_status.hpp"

#include <sys/wait.h>

#include <cstring>

namespace pollen::process {

std::optional<int> ExitStatus::code() const {
    if (WIFEXITED(raw_)) return WEXITSTATUS(raw_);
    return std::nullopt;
}

std::optional<int> ExitStatus::signal() const {
    if (WIFSIGNALED(raw_)) return WTERMSIG(raw_);
    return std::nullopt;
}

bool ExitStatus::core_dumped() const { return WIFSIGNALED(raw_) && WCOREDUMP(raw_); }

std::string ExitStatus::to_string() const {
    if (auto c = code()) return "exit status: " + std::to_string(*c);
    if (auto s = signal()) {
        std::string out = "signal: " + std::to_string(*s);
        // sigabbrev_np is glibc's "KILL" for SIGKILL; Rust prints the SIG-prefixed name.
        if (const char* name = ::sigabbrev_np(*s)) out += std::string(" (SIG") + name + ")";
        if (core_dumped()) out += " (core dumped)";
        return out;
    }
    return "unrecognised wait status: " + std::to_string(raw_);
}

}  // namespace pollen::process
