#pragma once
/// process::Stdio: what a child's stdin, stdout or stderr is connected to
/// (Rust's `std::process::Stdio`, which Tokio's Command takes).
///
///     Command("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null())
///
/// `piped()` makes a pipe whose other end the Child hands back (ChildStdin,
/// ChildStdout, ChildStderr); `inherit()` shares this process's stream (the
/// default of `spawn` and `status`); `null()` connects /dev/null. `from_fd`
/// passes a file descriptor of your own, which the Stdio then owns and closes;
/// a child's pipe becomes one with `into_stdio()`, so one child's stdout can
/// be the next one's stdin (Tokio's `TryInto<Stdio>` for ChildStdout).
///
/// Move-only, as Rust's (it may own an fd). A plain value: nothing polls or
/// wakes; distinct objects: safe; shared objects: unsafe.

#include "../../core/detail/owned_fd.hpp"

namespace pollen::process {

class Stdio {
public:
    enum class Kind { Inherit, Piped, Null, Fd };

    static Stdio inherit() { return Stdio(Kind::Inherit, -1); }
    static Stdio piped() { return Stdio(Kind::Piped, -1); }
    static Stdio null() { return Stdio(Kind::Null, -1); }
    /// Takes ownership of `fd`; the child gets a copy of it at each spawn.
    /// The Command keeps its own until it is destroyed (as Rust's does): the
    /// reader of a pipe passed this way sees end of file only after that.
    static Stdio from_fd(int fd) { return Stdio(Kind::Fd, fd); }

    Kind kind() const { return kind_; }
    /// The owned fd of `from_fd`, else -1.
    int fd() const { return fd_.get(); }

private:
    Stdio(Kind k, int fd) : kind_(k), fd_(fd) {}

    Kind kind_;
    pollen::detail::OwnedFd fd_;  // move-only: so is Stdio
};

}  // namespace pollen::process
