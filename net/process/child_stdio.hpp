#pragma once
/// ChildStdin, ChildStdout, ChildStderr: our ends of the pipes to a child's
/// standard streams (Tokio's types of the same names), made by
/// `Stdio::piped()`. ChildStdin is an AsyncWrite; ChildStdout and ChildStderr
/// are AsyncReads (core/io's traits, as TcpStream is).
///
/// `poll_read` is Ready with the bytes read, Ok(0) at end of file (the child
/// closed its end or exited), Pending until the pipe is readable, woken by
/// the reactor's thread. `poll_write` is Ready with the bytes written, or
/// Err(broken_pipe) once the child closed its stdin (never SIGPIPE), Pending
/// while the pipe is full. `poll_shutdown` closes the write end at once, so
/// the child reads end of file: pollen's AsyncWrite contract ("the peer reads
/// end of stream"); Tokio's ChildStdin shutdown does nothing and only dropping
/// it closes the pipe (dropping closes it here too). Later writes are
/// Err(broken_pipe).
///
/// Destroying a read or write future mid-way leaves the pipe usable; no byte
/// is lost. Destroying the object deregisters it, then closes its fd.
/// `into_stdio()` hands the pipe to another child (Tokio's
/// `TryInto<Stdio>`): `Command("wc").stdin(std::move(*a.stdout).into_stdio().value())`.
/// Distinct objects: safe; one object: one reader (or writer) at a time.

#include <cstddef>
#include <span>
#include <utility>

#include "../../core/io/async_write.hpp"
#include "../../core/io/error.hpp"
#include "detail/pipe.hpp"
#include "stdio.hpp"

namespace pollen::process {

namespace detail {

/// What the three share: a registered pipe end.
class ChildPipe {
public:
    explicit ChildPipe(Pipe pipe) : pipe_(std::move(pipe)) {}
    ChildPipe(ChildPipe&&) noexcept = default;
    ChildPipe& operator=(ChildPipe&&) noexcept = default;

    /// The pipe's fd (-1 once shut down).
    int as_raw_fd() const { return pipe_.fd(); }
    /// The fd, deregistered and made blocking; the caller owns it.
    io::Result<int> into_owned_fd() && { return pipe_.into_blocking_fd(); }
    /// A Stdio for another child's stream (the fd made blocking).
    io::Result<Stdio> into_stdio() && {
        auto fd = pipe_.into_blocking_fd();
        if (!fd) return Err(fd.error());
        return Ok(Stdio::from_fd(*fd));
    }

protected:
    Pipe pipe_;
};

}  // namespace detail

/// The child's standard input: an AsyncWrite.
class ChildStdin : public detail::ChildPipe {
public:
    using ChildPipe::ChildPipe;

    Poll<io::Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf) {
        return pipe_.poll_write(cx, buf);
    }
    Poll<io::Result<std::size_t>> poll_write_vectored(Context& cx, io::IoSlices bufs) {
        return pipe_.poll_write_vectored(cx, bufs);
    }
    /// Nothing is buffered here.
    Poll<io::Result<void>> poll_flush(Context&) { return ready(io::Result<void>(Ok())); }
    /// Closes the pipe: the child reads end of file.
    Poll<io::Result<void>> poll_shutdown(Context&) {
        pipe_.close();
        return ready(io::Result<void>(Ok()));
    }
};

/// The child's standard output: an AsyncRead.
class ChildStdout : public detail::ChildPipe {
public:
    using ChildPipe::ChildPipe;
    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        return pipe_.poll_read(cx, buf);
    }
};

/// The child's standard error: an AsyncRead.
class ChildStderr : public detail::ChildPipe {
public:
    using ChildPipe::ChildPipe;
    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        return pipe_.poll_read(cx, buf);
    }
};

}  // namespace pollen::process
