// detail/pipe.hpp's implementation; here because the Makefile compiles .cpp files two folders deep.
#include "detail/pipe.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace pollen::process::detail {

namespace {

/// Runs `write_op` with SIGPIPE blocked on this thread. A write to a pipe
/// whose reader is gone raises SIGPIPE at the writing thread; blocked, it
/// stays pending, and is taken back here unless one was pending already
/// (that one belongs to someone else). errno is the write's.
template <class Op>
ssize_t without_sigpipe(Op&& write_op) {
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    sigset_t before;
    sigpending(&before);
    ssize_t n = write_op();
    int saved = errno;
    if (n < 0 && saved == EPIPE && !sigismember(&before, SIGPIPE)) {
        timespec zero{};
        while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = saved;
    return n;
}

}  // namespace

io::Result<Pipe> Pipe::adopt(int fd) {
    std::error_code ec;
    pollen::detail::IoSource io(fd, ec);
    if (ec) return Err(ec);
    return Ok(Pipe(std::move(io)));
}

Poll<io::Result<std::size_t>> Pipe::poll_read(Context& cx, std::span<std::byte> buf) {
    if (buf.empty()) return ready(io::Result<std::size_t>(Ok(std::size_t{0})));
    if (!io_.is_open()) return ready(io::Result<std::size_t>(Err(io::error(std::errc::bad_file_descriptor))));
    int fd = io_.fd();
    return io_.poll_io(
        cx, pollen::detail::Direction::Read, [&] { return ::read(fd, buf.data(), buf.size()); }, buf.size());
}

Poll<io::Result<std::size_t>> Pipe::poll_write(Context& cx, std::span<const std::byte> buf) {
    // A closed (shut down) write end: the stream is over, as a socket after SHUT_WR.
    if (!io_.is_open()) return ready(io::Result<std::size_t>(Err(io::error(std::errc::broken_pipe))));
    if (buf.empty()) return ready(io::Result<std::size_t>(Ok(std::size_t{0})));
    int fd = io_.fd();
    return io_.poll_io(
        cx, pollen::detail::Direction::Write,
        [&] { return without_sigpipe([&] { return ::write(fd, buf.data(), buf.size()); }); }, buf.size());
}

Poll<io::Result<std::size_t>> Pipe::poll_write_vectored(Context& cx, io::IoSlices bufs) {
    if (!io_.is_open()) return ready(io::Result<std::size_t>(Err(io::error(std::errc::broken_pipe))));
    iovec iov[64];
    std::size_t count = 0, total = 0;
    for (std::span<const std::byte> b : bufs) {
        if (b.empty()) continue;
        if (count == std::size(iov)) break;
        iov[count++] = iovec{const_cast<std::byte*>(b.data()), b.size()};
        total += b.size();
    }
    if (total == 0) return ready(io::Result<std::size_t>(Ok(std::size_t{0})));
    int fd = io_.fd();
    return io_.poll_io(
        cx, pollen::detail::Direction::Write,
        [&] { return without_sigpipe([&] { return ::writev(fd, iov, static_cast<int>(count)); }); }, total);
}

io::Result<int> Pipe::into_blocking_fd() {
    if (!io_.is_open()) return Err(io::error(std::errc::bad_file_descriptor));
    int fd = io_.release();
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        auto ec = io::Error(errno, std::generic_category());
        ::close(fd);
        return Err(ec);
    }
    return Ok(fd);
}

}  // namespace pollen::process::detail
