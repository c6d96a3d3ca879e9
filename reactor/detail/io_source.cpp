#include "io_source.hpp"

#include <fcntl.h>

#include "reactor.hpp"

namespace pollen::detail {

IoSource::IoSource(int fd, std::error_code& ec) {
    OwnedFd owned(fd);  // closed on every failure below
    Reactor* r = Reactor::current();
    if (!r) {
        ec = std::make_error_code(std::errc::operation_not_permitted);
        return;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        ec = std::error_code(errno, std::generic_category());
        return;
    }
    io_ = r->register_fd(fd, ec);
    if (!io_) return;
    fd_ = std::move(owned);
    reactor_ = r->shared_from_this();
}

int IoSource::release() {
    int fd = fd_.release();
    if (io_) {
        // Before deregistering: afterwards the reactor may free the record.
        io_->clear_wakers();
        reactor_->deregister(fd, std::exchange(io_, nullptr));
    }
    reactor_.reset();
    return fd;
}

void IoSource::reset() { OwnedFd closing(release()); }

}  // namespace pollen::detail
