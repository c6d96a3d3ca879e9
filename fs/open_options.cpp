#include "open_options.hpp"

#include <fcntl.h>

#include <cerrno>

namespace pollen::fs {

io::Result<int> OpenOptions::flags() const {
    int access;
    if (read_ && !write_ && !append_) access = O_RDONLY;
    else if (!read_ && (write_ || append_)) access = O_WRONLY;
    else if (read_ && (write_ || append_)) access = O_RDWR;
    else return Err(io::error(std::errc::invalid_argument));

    if (!write_ && !append_ && (truncate_ || create_ || create_new_))
        return Err(io::error(std::errc::invalid_argument));
    if (append_ && truncate_ && !create_new_) return Err(io::error(std::errc::invalid_argument));

    int creation = 0;
    if (create_new_) creation = O_CREAT | O_EXCL;
    else {
        if (create_) creation |= O_CREAT;
        if (truncate_) creation |= O_TRUNC;
    }
    int extra = custom_flags_ & ~O_ACCMODE;
    return Ok(access | creation | (append_ ? O_APPEND : 0) | extra | O_CLOEXEC);
}

FsFuture<File> OpenOptions::open(std::filesystem::path path) const {
    return FsFuture<File>("open", path, [opts = *this, path]() -> Result<File> {
        auto flags = opts.flags();
        if (flags.is_err()) return Err(Error(flags.error(), "open", path));
        int fd;
        do fd = ::open(path.c_str(), *flags, opts.mode_);
        while (fd < 0 && errno == EINTR);
        if (fd < 0) return Err(Error(detail::last_os_error(), "open", path));
        return Ok(File(fd));
    });
}

}  // namespace pollen::fs
