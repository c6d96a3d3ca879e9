#include "io_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "reactor.hpp"

namespace pollen::detail {

IoSource::IoSource(int fd, std::error_code& ec) {
    Reactor* r = Reactor::current();
    if (!r) {
        ec = std::make_error_code(std::errc::operation_not_permitted);
        ::close(fd);
        return;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        ec = std::error_code(errno, std::generic_category());
        ::close(fd);
        return;
    }
    io_ = r->register_fd(fd, ec);
    if (!io_) {
        ::close(fd);
        return;
    }
    fd_ = fd;
    reactor_ = r->shared_from_this();
}

int IoSource::release() {
    int fd = std::exchange(fd_, -1);
    if (io_) {
        // Before deregistering: afterwards the reactor may free the record.
        io_->clear_wakers();
        reactor_->deregister(fd, std::exchange(io_, nullptr));
    }
    reactor_.reset();
    return fd;
}

void IoSource::reset() {
    int fd = release();
    if (fd >= 0) ::close(fd);
}

}  // namespace pollen::detail
