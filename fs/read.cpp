#include "read.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "../core/detail/owned_fd.hpp"

namespace pollen::fs {

namespace {

// Reads the whole file into a byte container; sized from fstat up front so
// a large file is read without regrowing, but read until EOF regardless
// (the size may change, and /proc files report 0).
template <class Container>
Result<Container> read_all(const std::filesystem::path& path, const char* op) {
    int raw;
    do raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    while (raw < 0 && errno == EINTR);
    if (raw < 0) return Err(Error(detail::last_os_error(), op, path));
    pollen::detail::OwnedFd fd(raw);
    struct stat st {};
    std::size_t hint = 0;
    if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) hint = static_cast<std::size_t>(st.st_size);
    Container out;
    out.resize(hint + 1);  // one spare byte: a full read then proves EOF without a regrow
    std::size_t len = 0;
    for (;;) {
        if (len == out.size()) out.resize(out.size() * 2);
        ssize_t n = ::read(fd.get(), out.data() + len, out.size() - len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Err(Error(detail::last_os_error(), op, path));
        }
        if (n == 0) break;
        len += static_cast<std::size_t>(n);
    }
    out.resize(len);
    return Ok(std::move(out));
}

}  // namespace

FsFuture<std::vector<std::byte>> read(std::filesystem::path path) {
    return FsFuture<std::vector<std::byte>>("read", path, [path] { return read_all<std::vector<std::byte>>(path, "read"); });
}

FsFuture<std::string> read_to_string(std::filesystem::path path) {
    return FsFuture<std::string>("read", path, [path] { return read_all<std::string>(path, "read"); });
}

}  // namespace pollen::fs
