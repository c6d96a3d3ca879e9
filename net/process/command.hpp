#pragma once
// In net/: the layer of OS I/O objects the reactor drives (Tokio too keeps pipes in tokio::net::unix::pipe).
/// process::Command: a builder for a child process (Tokio's
/// `tokio::process::Command`, itself std's with async waits).
///
///     auto out = rt.block_on(process::Command("sh").args({"-c", "echo hi"}).output());
///     // out->status.success(), out->stdout holds "hi\n"
///     auto child = process::Command("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn();
///
/// Defaults: no arguments, this process's environment and working directory,
/// stdin/stdout/stderr inherited (for `spawn` and `status`). A program
/// without '/' is searched in PATH, the child's own if `env("PATH", ...)`
/// changed it (as Rust's std). The builder methods return `*this`, so a
/// chain on a temporary works until the end of the full expression.
///
/// `spawn()` starts the process now (fork + exec, detail/spawn.hpp) and is
/// Ok(Child) once the program runs; a program that could not be started is
/// its error: not found is Err(no_such_file_or_directory) (Rust's NotFound),
/// not executable Err(permission_denied), a bad `current_dir` its chdir
/// error. It must run inside a runtime (the pipes and the exit watch
/// register with its reactor); elsewhere it is Err(operation_not_permitted)
/// and nothing is started.
///
/// `status()` and `output()` spawn at once too (Tokio's do, before the first
/// poll) and return futures. `status()` closes any piped handle at once and
/// waits: io::Result<ExitStatus>. `output()` sets stdout and stderr to
/// piped, unconditionally and on this Command, as Tokio's does (std's only
/// defaults them; stdin stays as configured, inherited by default), and
/// collects both while waiting: io::Result<Output>. Destroying either future
/// mid-way destroys its Child: the process goes on, or is killed if
/// `kill_on_drop(true)` was asked, and is reaped later (see child.hpp).
///
/// A Command may spawn several times. Distinct objects: safe; shared
/// objects: unsafe. The futures hold no pointer into themselves: they may be
/// moved at any time.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../../core/future_ext.hpp"
#include "../../core/io/error.hpp"
#include "child.hpp"
#include "exit_status.hpp"
#include "stdio.hpp"

namespace pollen::process {

/// The future of `Command::status()`: io::Result<ExitStatus>.
class CommandStatus : public FutureExt<CommandStatus> {
public:
    using Output = io::Result<ExitStatus>;
    explicit CommandStatus(io::Result<Child> child);
    CommandStatus(CommandStatus&&) noexcept = default;
    Poll<Output> poll(Context& cx);

private:
    std::optional<Child> child_;
    std::optional<io::Error> error_;
};

/// The future of `Command::output()`: io::Result<process::Output>.
class CommandOutput : public FutureExt<CommandOutput> {
public:
    using Output = io::Result<process::Output>;
    explicit CommandOutput(io::Result<Child> child);
    CommandOutput(CommandOutput&&) noexcept = default;
    Poll<Output> poll(Context& cx);

private:
    std::optional<ChildWaitWithOutput> wait_;
    std::optional<io::Error> error_;
};

class Command {
public:
    /// The program to run: a path, or a name searched in PATH.
    explicit Command(std::string program) : program_(std::move(program)) {}
    Command(Command&&) noexcept = default;
    Command& operator=(Command&&) noexcept = default;

    Command& arg(std::string a) {
        args_.push_back(std::move(a));
        return *this;
    }
    /// Each element of `r` (anything convertible to std::string) in order.
    template <class Range>
    Command& args(const Range& r) {
        for (const auto& a : r) args_.emplace_back(a);
        return *this;
    }
    Command& args(std::initializer_list<std::string_view> list) {
        for (std::string_view a : list) args_.emplace_back(a);
        return *this;
    }
    /// argv[0] as the program sees it (default: the program as given).
    Command& arg0(std::string a) {
        arg0_ = std::move(a);
        return *this;
    }

    /// Sets (or overrides) one variable of the child's environment.
    Command& env(std::string key, std::string value) {
        env_[std::move(key)] = std::move(value);
        return *this;
    }
    /// Each (key, value) pair of `r`.
    template <class Range>
    Command& envs(const Range& r) {
        for (const auto& [k, v] : r) env_[std::string(k)] = std::string(v);
        return *this;
    }
    /// Removes a variable from the child's environment.
    Command& env_remove(std::string key) {
        env_[std::move(key)] = std::nullopt;
        return *this;
    }
    /// The child starts with no environment but what `env` adds afterwards.
    Command& env_clear() {
        env_clear_ = true;
        env_.clear();
        return *this;
    }
    Command& current_dir(std::filesystem::path dir) {
        cwd_ = std::move(dir);
        return *this;
    }

    Command& stdin(Stdio s) {
        stdin_ = std::move(s);
        return *this;
    }
    Command& stdout(Stdio s) {
        stdout_ = std::move(s);
        return *this;
    }
    Command& stderr(Stdio s) {
        stderr_ = std::move(s);
        return *this;
    }

    /// SIGKILL the process when its Child is destroyed before it was reaped
    /// (also when a status()/output() future is destroyed mid-way).
    Command& kill_on_drop(bool kill) {
        kill_on_drop_ = kill;
        return *this;
    }
    /// setpgid(0, pgroup) in the child: 0 starts a new process group (Rust's
    /// `CommandExt::process_group`).
    Command& process_group(pid_t pgroup) {
        process_group_ = pgroup;
        return *this;
    }

    io::Result<Child> spawn();
    CommandStatus status() { return CommandStatus(spawn()); }
    CommandOutput output() {
        stdout_ = Stdio::piped();
        stderr_ = Stdio::piped();
        return CommandOutput(spawn());
    }

    const std::string& get_program() const { return program_; }
    const std::vector<std::string>& get_args() const { return args_; }
    /// The changes made to the environment: a value, or nullopt for a removal.
    const std::map<std::string, std::optional<std::string>>& get_envs() const { return env_; }
    const std::optional<std::filesystem::path>& get_current_dir() const { return cwd_; }
    bool get_kill_on_drop() const { return kill_on_drop_; }

private:
    std::string program_;
    std::vector<std::string> args_;
    std::optional<std::string> arg0_;
    bool env_clear_ = false;
    std::map<std::string, std::optional<std::string>> env_;
    std::optional<std::filesystem::path> cwd_;
    Stdio stdin_ = Stdio::inherit();
    Stdio stdout_ = Stdio::inherit();
    Stdio stderr_ = Stdio::inherit();
    bool kill_on_drop_ = false;
    std::optional<pid_t> process_group_;
};

}  // namespace pollen::process
