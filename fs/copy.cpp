#include "copy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "../core/detail/owned_fd.hpp"
#include "../core/detail/syscall.hpp"

namespace pollen::fs {

namespace {

int open_retry(const char* path, int flags, mode_t mode = 0) {
    int fd;
    do fd = ::open(path, flags, mode);
    while (fd < 0 && errno == EINTR);
    return fd;
}

// Plain read/write loop, for when copy_file_range cannot be used.
bool copy_by_hand(int in, int out, std::uint64_t& total) {
    constexpr std::size_t kChunk = 1 << 20;
    std::unique_ptr<char[]> buf(new char[kChunk]);
    for (;;) {
        ssize_t n = ::read(in, buf.get(), kChunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) return true;
        ssize_t done = 0;
        while (done < n) {
            ssize_t w = pollen::detail::sys::write(out, buf.get() + done, static_cast<std::size_t>(n - done));
            if (w < 0) {
                if (errno == EINTR) continue;
                return false;
            }
            done += w;
        }
        total += static_cast<std::uint64_t>(n);
    }
}

Result<std::uint64_t> copy_blocking(const std::filesystem::path& from, const std::filesystem::path& to) {
    auto fail = [&] { return Err(Error(detail::last_os_error(), "copy", from, to)); };
    int in_raw = open_retry(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in_raw < 0) return fail();
    pollen::detail::OwnedFd in(in_raw);
    struct stat st {};
    if (::fstat(in.get(), &st) < 0) return fail();
    if (!S_ISREG(st.st_mode)) {
        // Rust: "the source path is not an existing regular file".
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return fail();
    }
    int out_raw = open_retry(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
    if (out_raw < 0) return fail();
    pollen::detail::OwnedFd out(out_raw);
    // An existing target keeps its old mode through O_CREAT: set it as Rust does.
    if (::fchmod(out.get(), st.st_mode & 07777) < 0) return fail();

    std::uint64_t total = 0;
    for (;;) {
        ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, std::size_t{1} << 30, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP || errno == EPERM) {
                if (!copy_by_hand(in.get(), out.get(), total)) return fail();
                break;
            }
            return fail();
        }
        if (n == 0) break;
        total += static_cast<std::uint64_t>(n);
    }
    return Ok(total);
}

}  // namespace

FsFuture<std::uint64_t> copy(std::filesystem::path from, std::filesystem::path to) {
    return FsFuture<std::uint64_t>("copy", from, [from, to] { return copy_blocking(from, to); });
}

}  // namespace pollen::fs
