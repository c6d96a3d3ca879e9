#include "owned_fd.hpp"

#include <unistd.h>

namespace pollen::detail {

void OwnedFd::close_now() noexcept {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

}  // namespace pollen::detail
