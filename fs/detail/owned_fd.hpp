#pragma once
// OwnedFd: a file descriptor closed by its destructor. File and every
// blocking operation in flight share it through a shared_ptr, so the fd is
// closed when the last of them lets go (Tokio's Arc<std::fs::File>).

#include <unistd.h>

namespace pollen::fs::detail {

class OwnedFd {
public:
    explicit OwnedFd(int fd) noexcept : fd_(fd) {}
    ~OwnedFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;

    int get() const noexcept { return fd_; }

private:
    int fd_;
};

}  // namespace pollen::fs::detail
