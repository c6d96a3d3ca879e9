#pragma once
/// OpenOptions: how to open a File (Rust's `OpenOptions`, Tokio's
/// `fs::OpenOptions`): a builder of plain flags, then `.open(path)`, a future
/// of fs::Result<File> whose open(2) runs on the blocking pool (see
/// fs_future.hpp for waking and cancellation; a File opened by a future
/// destroyed mid-way is closed on the pool thread).
///
/// The rules are Rust's: at least one of read/write/append; append implies
/// write; create, truncate and create_new need write or append; truncate
/// with append needs create_new. Breaking them gives EINVAL. create_new
/// (O_CREAT|O_EXCL) overrides create and truncate. `mode` (default 0666,
/// before the umask) applies to a created file. Every fd is O_CLOEXEC.

#include <sys/types.h>

#include <filesystem>

#include "error.hpp"
#include "fs_future.hpp"

namespace pollen::fs {

class File;

class OpenOptions {
public:
    OpenOptions& read(bool v) { read_ = v; return *this; }
    OpenOptions& write(bool v) { write_ = v; return *this; }
    OpenOptions& append(bool v) { append_ = v; return *this; }
    OpenOptions& truncate(bool v) { truncate_ = v; return *this; }
    OpenOptions& create(bool v) { create_ = v; return *this; }
    OpenOptions& create_new(bool v) { create_new_ = v; return *this; }
    OpenOptions& mode(mode_t m) { mode_ = m; return *this; }
    /// Extra open(2) flags (O_NOFOLLOW, O_DIRECT...); access-mode bits are ignored.
    OpenOptions& custom_flags(int flags) { custom_flags_ = flags; return *this; }

    FsFuture<File> open(std::filesystem::path path) const;

    /// The open(2) flags these options mean, or EINVAL.
    io::Result<int> flags() const;

private:
    bool read_ = false, write_ = false, append_ = false, truncate_ = false, create_ = false, create_new_ = false;
    mode_t mode_ = 0666;
    int custom_flags_ = 0;
};

}  // namespace pollen::fs

#include "file.hpp"
