#pragma once
/// detail::sys: the one seam through which the library makes the syscalls a
/// test may want to fail: the sockets' (recv/send and their vectored and
/// datagram forms, accept4, connect), the reactor's (epoll_wait, and
/// epoll_ctl ADD, which an injector hears of) and the files' (write), so that
/// tests can inject the failures that a real network or disk produces rarely
/// and at random: EINTR and EAGAIN storms, short reads and writes, resets,
/// EMFILE, a full disk (ENOSPC). It lives in core/ because the reactor, net/
/// and fs/ all use it, and fs/ stands on the runtime and core only.
///
/// Each wrapper is inline and checks one global pointer with a relaxed load;
/// with no FaultInjector installed (always, outside tests) it is the bare
/// syscall. An installed injector is asked before each call and may fail it
/// with an errno value or cap its byte count; after the call it is told the
/// result. Install one only while no runtime is running, and keep it alive
/// until uninstalled: the wrappers do not pin it (test/support/fault_plan.hpp
/// does both for tests).
///
/// Threads: the wrappers run on any thread, concurrently, and so do the
/// calls they make to an installed injector.

#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/epoll.h>
#endif

namespace pollen::detail::sys {

/// The kind of call an injector is asked about.
enum class Call : std::uint8_t {
    Recv,     // recv, recvfrom: bytes in
    Send,     // send, sendto, sendmsg: bytes out
    Accept,   // accept4
    Connect,  // connect
    Wait,     // epoll_wait
    Write,    // write: file data (fs)
};

/// An injector's answer: fail with `error` (an errno value) if non-zero,
/// else run the call with at most `max_len` bytes.
struct Fault {
    int error = 0;
    std::size_t max_len = SIZE_MAX;
};

class FaultInjector {
public:
    virtual ~FaultInjector() = default;
    /// Before a call on `fd` asking for `len` bytes (0 where no bytes move).
    /// Called from any thread (runtime workers, the blocking pool), concurrently.
    virtual Fault before(Call call, int fd, std::size_t len) noexcept = 0;
    /// After the call ran: its return value (-1 with errno on failure).
    virtual void after(Call call, int fd, long result) noexcept = 0;
    /// Before the reactor adds `fd` to the poll set `poll_fd` with these
    /// epoll `events` and `data`: an injector that fakes EAGAIN must later
    /// re-arm the fd (EPOLL_CTL_MOD), as the data it hid would have raised a
    /// new edge when it arrived.
    virtual void watching(int /*poll_fd*/, int /*fd*/, std::uint32_t /*events*/, void* /*data*/) noexcept {}
};

namespace hook {
inline std::atomic<FaultInjector*> injector{nullptr};

/// Runs `call(len)` unless the injector fails it; errno survives `after`.
template <class F>
inline long run(Call kind, int fd, std::size_t len, F&& call) {
    FaultInjector* inj = injector.load(std::memory_order_relaxed);
    if (inj == nullptr) [[likely]]
        return call(len);
    Fault f = inj->before(kind, fd, len);
    long r;
    if (f.error != 0) {
        r = -1;
        errno = f.error;
    } else {
        r = call(std::min(len, f.max_len));
    }
    int saved = errno;
    inj->after(kind, fd, r);
    errno = saved;
    return r;
}
}  // namespace hook

/// Installs `inj` (nullptr uninstalls); returns the previous one.
inline FaultInjector* set_fault_injector(FaultInjector* inj) {
    return hook::injector.exchange(inj, std::memory_order_acq_rel);
}

inline ssize_t recv(int fd, void* buf, std::size_t len, int flags) {
    return hook::run(Call::Recv, fd, len, [&](std::size_t n) { return ::recv(fd, buf, n, flags); });
}

inline ssize_t recvfrom(int fd, void* buf, std::size_t len, int flags, sockaddr* from, socklen_t* from_len) {
    return hook::run(Call::Recv, fd, len,
                       [&](std::size_t n) { return ::recvfrom(fd, buf, n, flags, from, from_len); });
}

inline ssize_t send(int fd, const void* buf, std::size_t len, int flags) {
    return hook::run(Call::Send, fd, len, [&](std::size_t n) { return ::send(fd, buf, n, flags); });
}

inline ssize_t sendto(int fd, const void* buf, std::size_t len, int flags, const sockaddr* to, socklen_t to_len) {
    return hook::run(Call::Send, fd, len,
                       [&](std::size_t n) { return ::sendto(fd, buf, n, flags, to, to_len); });
}

/// sendmsg; a cap on the byte count trims the iovec array of a copy of `msg`.
inline ssize_t sendmsg(int fd, const msghdr* msg, int flags) {
    std::size_t total = 0;
    for (std::size_t i = 0; i < msg->msg_iovlen; ++i) total += msg->msg_iov[i].iov_len;
    return hook::run(Call::Send, fd, total, [&](std::size_t n) -> ssize_t {
        if (n >= total) return ::sendmsg(fd, msg, flags);
        // Only when a test caps the length: the copy's size is bounded by the caller's array.
        msghdr capped = *msg;
        iovec iov[64];
        std::size_t count = 0;
        for (std::size_t i = 0; i < msg->msg_iovlen && n > 0 && count < 64; ++i) {
            iov[count] = msg->msg_iov[i];
            iov[count].iov_len = std::min(iov[count].iov_len, n);
            n -= iov[count].iov_len;
            ++count;
        }
        capped.msg_iov = iov;
        capped.msg_iovlen = count;
        return ::sendmsg(fd, &capped, flags);
    });
}

inline int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
    return static_cast<int>(
        hook::run(Call::Accept, fd, 0, [&](std::size_t) { return ::accept4(fd, addr, len, flags); }));
}

inline int connect(int fd, const sockaddr* addr, socklen_t len) {
    return static_cast<int>(
        hook::run(Call::Connect, fd, 0, [&](std::size_t) { return ::connect(fd, addr, len); }));
}

/// write(2) of file data, from the blocking pool.
inline ssize_t write(int fd, const void* buf, std::size_t len) {
    return hook::run(Call::Write, fd, len, [&](std::size_t n) { return ::write(fd, buf, n); });
}

#if defined(__linux__)
/// epoll_ctl(EPOLL_CTL_ADD); the injector hears of it first.
inline int epoll_add(int epfd, int fd, epoll_event* ev) {
    if (FaultInjector* inj = hook::injector.load(std::memory_order_relaxed)) [[unlikely]]
        inj->watching(epfd, fd, ev->events, ev->data.ptr);
    return ::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, ev);
}

inline int epoll_wait(int epfd, epoll_event* events, int max, int timeout_ms) {
    return static_cast<int>(hook::run(Call::Wait, epfd, 0, [&](std::size_t) {
        return ::epoll_wait(epfd, events, max, timeout_ms);
    }));
}
#endif

}  // namespace pollen::detail::sys
