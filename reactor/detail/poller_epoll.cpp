// Poller on Linux: epoll, edge-triggered, woken through an eventfd. The
// waits and registrations go through detail::sys, the fault-injection seam.
#if defined(__linux__)

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "../../core/detail/syscall.hpp"
#include "scheduled_io.hpp"
#include "poller.hpp"

namespace pollen::detail {

namespace {
epoll_event* native(void* p) { return static_cast<epoll_event*>(p); }
}  // namespace

Events::Events(std::size_t capacity)
    : native_(new epoll_event[capacity > 0 ? capacity : 1]), capacity_(capacity > 0 ? capacity : 1) {}

Events::~Events() { delete[] native(native_); }

PollEvent Events::operator[](std::size_t i) const {
    const epoll_event& ev = native(native_)[i];
    std::uint32_t e = ev.events, r = 0;
    if (e & (EPOLLIN | EPOLLPRI)) r |= readiness::kReadable;
    if (e & EPOLLOUT) r |= readiness::kWritable;
    if (e & EPOLLRDHUP) r |= readiness::kReadClosed | readiness::kReadable;
    if (e & EPOLLHUP) r |= readiness::kReadClosed | readiness::kWriteClosed | readiness::kReadable;
    // An error wakes both directions (the syscall reports it) and answers
    // Interest::ERROR; it is not WRITE_CLOSED, as it is for mio: a UDP
    // socket's ICMP error is one error value, not the end of sending.
    if (e & EPOLLERR) r |= readiness::kError | readiness::kReadable | readiness::kWritable;
    return {ev.data.ptr, r};
}

// A throw leaves the members' OwnedFds to close what was opened.
Poller::Poller() : fd_(epoll_create1(EPOLL_CLOEXEC)) {
    if (fd_.get() < 0) throw std::system_error(errno, std::generic_category(), "pollen: epoll_create1");
    wake_fd_ = OwnedFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.ptr = nullptr;  // the wake-up's null token
    if (wake_fd_.get() < 0 || epoll_ctl(fd_.get(), EPOLL_CTL_ADD, wake_fd_.get(), &ev) < 0)
        throw std::system_error(errno, std::generic_category(), "pollen: eventfd");
}

std::error_code Poller::watch(int fd, void* token) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = token;
    if (sys::epoll_add(fd_.get(), fd, &ev) < 0) return {errno, std::generic_category()};
    return {};
}

void Poller::unwatch(int fd) {
    epoll_event ev{};  // non-null for kernels before 2.6.9
    epoll_ctl(fd_.get(), EPOLL_CTL_DEL, fd, &ev);
}

// The wake-up fd is not read: registered edge-triggered, every write to it is
// a fresh edge even while its counter is non-zero, so draining it would only
// cost a syscall per wake.
std::error_code Poller::wait(Events& events, int timeout_ms) {
    events.size_ = 0;
    int max = static_cast<int>(std::min<std::size_t>(events.capacity_, INT_MAX));
    int n = sys::epoll_wait(fd_.get(), native(events.native_), max, timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return {};
        return {errno, std::generic_category()};
    }
    events.size_ = static_cast<std::size_t>(n);
    return {};
}

void Poller::wake() {
    std::uint64_t one = 1;
    if (write(wake_fd_.get(), &one, sizeof one) >= 0 || errno != EAGAIN) return;
    // The counter, never drained, is about to overflow (after ~2^64 wakes):
    // reset it with a read, then write the wake again.
    std::uint64_t v;
    if (read(wake_fd_.get(), &v, sizeof v) < 0) return;
    ssize_t rc = write(wake_fd_.get(), &one, sizeof one);
    (void)rc;
}

}  // namespace pollen::detail

#endif  // __linux__
