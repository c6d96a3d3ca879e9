// Poller on BSD and macOS: kqueue, edge-triggered (EV_CLEAR), woken through
// an EVFILT_USER event. Our CI runs Linux only: this file is compiled on
// none of its machines and is kept small and close to the epoll one, so that
// it can be reviewed by eye.
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)

#include <errno.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "scheduled_io.hpp"
#include "poller.hpp"

namespace pollen::detail {

namespace {
struct kevent* native(void* p) { return static_cast<struct kevent*>(p); }
}  // namespace

Events::Events(std::size_t capacity)
    : native_(new struct kevent[capacity > 0 ? capacity : 1]), capacity_(capacity > 0 ? capacity : 1) {}

Events::~Events() { delete[] native(native_); }

PollEvent Events::operator[](std::size_t i) const {
    const struct kevent& ev = native(native_)[i];
    if (ev.filter == EVFILT_USER) return {nullptr, 0};  // the wake-up
    std::uint32_t r = 0;
    if (ev.filter == EVFILT_READ) r |= readiness::kReadable;
    if (ev.filter == EVFILT_WRITE) r |= readiness::kWritable;
    if (ev.flags & EV_EOF) r |= ev.filter == EVFILT_READ ? readiness::kReadClosed : readiness::kWriteClosed;
    if (ev.flags & EV_ERROR) r |= readiness::kError;
    return {ev.udata, r};
}

// A throw leaves fd_, an OwnedFd, to close the kqueue.
Poller::Poller() : fd_(kqueue()) {
    if (fd_.get() < 0) throw std::system_error(errno, std::generic_category(), "pollen: kqueue");
    struct kevent ev;
    EV_SET(&ev, 0, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, nullptr);
    if (kevent(fd_.get(), &ev, 1, nullptr, 0, nullptr) < 0)
        throw std::system_error(errno, std::generic_category(), "pollen: kqueue EVFILT_USER");
}

std::error_code Poller::watch(int fd, void* token) {
    struct kevent ev[2];
    EV_SET(&ev[0], fd, EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, token);
    EV_SET(&ev[1], fd, EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0, token);
    if (kevent(fd_.get(), ev, 2, nullptr, 0, nullptr) < 0) return {errno, std::generic_category()};
    return {};
}

void Poller::unwatch(int fd) {
    struct kevent ev[2];
    EV_SET(&ev[0], fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
    EV_SET(&ev[1], fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
    kevent(fd_.get(), ev, 2, nullptr, 0, nullptr);
}

std::error_code Poller::wait(Events& events, int timeout_ms) {
    events.size_ = 0;
    timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
    int max = static_cast<int>(std::min<std::size_t>(events.capacity_, INT_MAX));
    int n = kevent(fd_.get(), nullptr, 0, native(events.native_), max, timeout_ms < 0 ? nullptr : &ts);
    if (n < 0) {
        if (errno == EINTR) return {};
        return {errno, std::generic_category()};
    }
    events.size_ = static_cast<std::size_t>(n);
    return {};
}

void Poller::wake() {
    struct kevent ev;
    EV_SET(&ev, 0, EVFILT_USER, 0, NOTE_TRIGGER, 0, nullptr);
    kevent(fd_.get(), &ev, 1, nullptr, 0, nullptr);
}

}  // namespace pollen::detail

#endif  // BSD, macOS
