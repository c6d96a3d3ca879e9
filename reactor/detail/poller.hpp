#pragma once
/// Poller: the reactor's one contract with the OS (mio's Poll and Events,
/// libuv's uv__io_* backend). Everything OS-specific of pollen's event loop
/// is behind it, in one backend file each: poller_epoll.cpp (epoll + eventfd,
/// Linux) and poller_kqueue.cpp (kqueue + EVFILT_USER, BSD and macOS).
///
/// The contract is five calls: create (the constructor), watch, unwatch,
/// wait, wake. `watch` registers a descriptor for read and write readiness,
/// edge-triggered, with an opaque token that its events carry back; `wait`
/// fills an Events buffer that the caller keeps and reuses across waits, and
/// returns the OS error (EINTR is not one: an interrupted wait is a wait with
/// no events, as mio and Tokio treat it); `wake` cuts a wait short from any
/// thread. The wake-up's own event carries a null token: callers skip it
/// (Tokio's TOKEN_WAKEUP).
///
/// Threads: watch, unwatch and wake from any thread; wait from one thread at
/// a time, with an Events buffer no other thread touches.

#include <cstddef>
#include <cstdint>
#include <system_error>

#include "../../core/detail/owned_fd.hpp"

#if !defined(__linux__) && !defined(__APPLE__) && !defined(__FreeBSD__) && !defined(__NetBSD__) && \
    !defined(__OpenBSD__)
#error "pollen's reactor supports epoll (Linux) and kqueue (BSD, macOS)"
#endif

namespace pollen::detail {

/// One OS event, translated: the token given to `watch` (null: the wake-up)
/// and the readiness:: bits it reports (scheduled_io.hpp).
struct PollEvent {
    void* token;
    std::uint32_t ready;
};

/// The events one wait returned (mio's Events): the backend's native array,
/// allocated once with its capacity and reused by every wait. Each wait
/// returns at most `capacity()` events; the OS keeps the rest for the next.
class Events {
public:
    static constexpr std::size_t kDefaultCapacity = 1024;  // Tokio's max_io_events_per_tick

    explicit Events(std::size_t capacity = kDefaultCapacity);
    ~Events();
    Events(const Events&) = delete;
    Events& operator=(const Events&) = delete;

    std::size_t capacity() const { return capacity_; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    /// The i-th event (i < size()), translated from the native one on read.
    PollEvent operator[](std::size_t i) const;

private:
    friend class Poller;
    void* native_;  // epoll_event[capacity_] or struct kevent[capacity_], owned
    std::size_t capacity_;
    std::size_t size_ = 0;
};

class Poller {
public:
    /// Creates the poll instance and its wake-up; throws std::system_error if
    /// the OS refuses either.
    Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    /// Watches `fd` for read and write readiness (edge-triggered); its events
    /// carry `token`, which must not be null.
    std::error_code watch(int fd, void* token);
    /// Stops watching `fd`; call before closing it. Errors are ignored: the
    /// fd may already be gone from the set (closed by its owner's peer, a
    /// failed watch).
    void unwatch(int fd);
    /// Waits until an event, a wake() or `timeout_ms` (< 0: no limit), and
    /// fills `events` (emptied first). An interrupted wait (EINTR) is Ok with
    /// no events; any other failure is returned, with `events` empty.
    std::error_code wait(Events& events, int timeout_ms);
    /// Makes the current wait, or the next one, return. Any thread.
    void wake();

private:
    OwnedFd fd_;       // the epoll or kqueue instance
    OwnedFd wake_fd_;  // eventfd (epoll); kqueue uses EVFILT_USER on fd_
};

}  // namespace pollen::detail
