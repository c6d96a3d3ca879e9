#pragma once
/// process::detail::Pipe: our end of a pipe to a child process, registered
/// with the current reactor (an IoSource, like every socket of net/), read
/// and written with read(2)/write(2): recv/send would fail on a pipe.
///
/// Each `poll_*` is IoSource::poll_io: the cooperative budget, readiness,
/// the syscall, EAGAIN → wait again (Pending), EINTR → retry. Writes never
/// raise SIGPIPE: pipes have no MSG_NOSIGNAL, so SIGPIPE is blocked on the
/// writing thread for the call and a SIGPIPE the write itself raised is
/// consumed; a reader that went away is Err(broken_pipe). Destroying a Pipe
/// deregisters it, then closes the fd. One reader or one writer at a time.

#include <cstddef>
#include <span>

#include "../../../core/io/async_write.hpp"
#include "../../../core/io/error.hpp"
#include "../../../reactor/detail/io_source.hpp"

namespace pollen::process::detail {

class Pipe {
public:
    Pipe() = default;
    /// Registers `fd` (made non-blocking), which the Pipe owns from now on
    /// (closed on failure too).
    static io::Result<Pipe> adopt(int fd);

    Pipe(Pipe&&) noexcept = default;
    Pipe& operator=(Pipe&&) noexcept = default;

    bool is_open() const { return io_.is_open(); }
    int fd() const { return io_.fd(); }

    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf);
    Poll<io::Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf);
    Poll<io::Result<std::size_t>> poll_write_vectored(Context& cx, io::IoSlices bufs);

    /// Deregisters and closes (idempotent): the child reads end of file.
    void close() { io_.reset(); }
    /// Deregisters and hands the fd over, made blocking again (what a child
    /// expects of its standard streams).
    io::Result<int> into_blocking_fd();

private:
    explicit Pipe(pollen::detail::IoSource io) : io_(std::move(io)) {}
    pollen::detail::IoSource io_;
};

}  // namespace pollen::process::detail
