#include "write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "../core/detail/owned_fd.hpp"
#include "../core/detail/syscall.hpp"

namespace pollen::fs {

namespace {

Result<void> write_all(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
    int raw;
    do raw = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    while (raw < 0 && errno == EINTR);
    if (raw < 0) return Err(Error(detail::last_os_error(), "write", path));
    pollen::detail::OwnedFd fd(raw);
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = pollen::detail::sys::write(fd.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Err(Error(detail::last_os_error(), "write", path));
        }
        if (n == 0) return Err(Error(io::error(io::errc::write_zero), "write", path));
        done += static_cast<std::size_t>(n);
    }
    return Ok();
}

}  // namespace

FsFuture<void> write(std::filesystem::path path, std::vector<std::byte> contents) {
    return FsFuture<void>("write", path,
                          [path, bytes = std::move(contents)] { return write_all(path, bytes); });
}

FsFuture<void> write(std::filesystem::path path, std::span<const std::byte> contents) {
    return write(std::move(path), std::vector<std::byte>(contents.begin(), contents.end()));
}

FsFuture<void> write(std::filesystem::path path, std::string_view contents) {
    return write(std::move(path), std::as_bytes(std::span(contents.data(), contents.size())));
}

}  // namespace pollen::fs
