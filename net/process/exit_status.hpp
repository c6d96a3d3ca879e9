#pragma once
/// process::ExitStatus and process::Output: how a child process ended, and
/// what `Command::output()` / `Child::wait_with_output()` collected (Rust's
/// `std::process::ExitStatus` with `ExitStatusExt`, and `std::process::Output`).
///
/// An ExitStatus wraps the raw wait status that waitpid(2) reports, so
/// `from_raw`/`into_raw` round-trip it: `code()` is the exit code of a
/// process that exited, `signal()` the signal that terminated one that did
/// not. `to_string()` reads as Rust's Display ("exit status: 3",
/// "signal: 9 (SIGKILL)"). Plain values: nothing polls or wakes; safe to copy
/// and share between threads.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace pollen::process {

class ExitStatus {
public:
    /// The raw wait status (Rust's `ExitStatusExt::from_raw`).
    static ExitStatus from_raw(int raw) { return ExitStatus(raw); }
    int into_raw() const { return raw_; }

    /// Exited with code 0.
    bool success() const { return code() == 0; }
    /// The exit code, if the process exited (not killed by a signal).
    std::optional<int> code() const;
    /// The signal that terminated the process, if one did.
    std::optional<int> signal() const;
    /// Terminated by a signal and dumped core.
    bool core_dumped() const;

    /// "exit status: 3", "signal: 9 (SIGKILL)", "signal: 6 (SIGABRT) (core dumped)".
    std::string to_string() const;

    bool operator==(const ExitStatus&) const = default;

private:
    explicit ExitStatus(int raw) : raw_(raw) {}
    int raw_ = 0;
};

/// What a finished process wrote, and how it ended (Rust's `std::process::Output`).
struct Output {
    ExitStatus status = ExitStatus::from_raw(0);
    std::vector<std::byte> stdout;
    std::vector<std::byte> stderr;
};

}  // namespace pollen::process
