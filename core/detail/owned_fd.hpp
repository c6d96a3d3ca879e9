#pragma once
/// detail::OwnedFd: a file descriptor that this object owns and closes when
/// destroyed (Rust's std::os::fd::OwnedFd). Move-only: the fd has one owner
/// at a time. `get()` lends it (Rust's `as_raw_fd`), `release()` gives it up
/// without closing it (`into_raw_fd`). -1 means "none": a default-made,
/// moved-from or released OwnedFd closes nothing.
///
/// The one owner of raw fds in the library: net/ sets sockets up on one
/// before registering them, IoSource keeps its registered fd in one, the
/// reactor's Poller its epoll/kqueue and wake fds, process::Stdio the fd it
/// passes on, and fs shares one between a File and its blocking operations
/// through a shared_ptr (Tokio's Arc<std::fs::File>). It lives in core/ so
/// that both net/ (over the reactor) and fs/ (over the runtime) reach it.
///
/// close(2)'s result is ignored, as Rust's drop does: the fd is gone
/// whatever it reports, and retrying after EINTR could close a number that
/// another thread has just been given.
///
/// Threads: distinct objects: safe; shared objects: unsafe (concurrent
/// `get()` calls are fine).

#include <utility>

namespace pollen::detail {

class OwnedFd {
public:
    OwnedFd() noexcept = default;
    /// Takes ownership of `fd` (-1: none).
    explicit OwnedFd(int fd) noexcept : fd_(fd) {}
    OwnedFd(OwnedFd&& other) noexcept : fd_(other.release()) {}
    /// Closes the fd held so far, then takes `other`'s.
    OwnedFd& operator=(OwnedFd&& other) noexcept {
        if (this != &other) {
            close_now();
            fd_ = other.release();
        }
        return *this;
    }
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    ~OwnedFd() { close_now(); }

    int get() const noexcept { return fd_; }
    /// Gives the fd to the caller, who closes it from now on.
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

private:
    // Out of line: keeps <unistd.h> out of every header that holds an OwnedFd.
    void close_now() noexcept;

    int fd_ = -1;
};

}  // namespace pollen::detail
