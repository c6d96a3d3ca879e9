#include "read_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "path_ops.hpp"

namespace pollen::fs {

namespace detail {

struct DirStream {
    DirStream(DIR* d, std::filesystem::path p) : dir(d), path(std::move(p)) {}
    ~DirStream() { ::closedir(dir); }
    DirStream(const DirStream&) = delete;
    DirStream& operator=(const DirStream&) = delete;
    DIR* dir;
    std::filesystem::path path;
};

void DirStreamDeleter::operator()(DirStream* d) const noexcept { delete d; }

namespace {
mode_t mode_from_dtype(unsigned char t) {
    switch (t) {
        case DT_REG: return S_IFREG;
        case DT_DIR: return S_IFDIR;
        case DT_LNK: return S_IFLNK;
        case DT_FIFO: return S_IFIFO;
        case DT_SOCK: return S_IFSOCK;
        case DT_BLK: return S_IFBLK;
        case DT_CHR: return S_IFCHR;
        default: return 0;
    }
}
}  // namespace

DirBatch read_dir_batch(DirHandle dir, std::size_t max) {
    DirBatch batch;
    while (batch.entries.size() < max) {
        errno = 0;
        dirent* e = ::readdir(dir->dir);
        if (!e) {
            if (errno != 0) batch.entries.push_back(Err(Error(last_os_error(), "read_dir", dir->path)));
            batch.done = true;
            break;
        }
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
        mode_t mode = mode_from_dtype(e->d_type);
        if (mode == 0) {
            // The filesystem does not say: ask, without following a symlink.
            struct stat st {};
            if (::fstatat(::dirfd(dir->dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                batch.entries.push_back(Err(Error(last_os_error(), "read_dir", dir->path / e->d_name)));
                continue;
            }
            mode = st.st_mode;
        }
        batch.entries.push_back(Ok(DirEntry(dir->path / e->d_name, FileType(mode))));
    }
    if (batch.done) dir.reset();  // close now rather than when the ReadDir goes
    batch.dir = std::move(dir);
    return batch;
}

}  // namespace detail

FsFuture<Metadata> DirEntry::metadata() const { return symlink_metadata(path_); }

ReadDir::ReadDir(detail::DirHandle dir, std::filesystem::path path) : dir_(std::move(dir)), path_(std::move(path)) {}
ReadDir::ReadDir(ReadDir&&) noexcept = default;
ReadDir& ReadDir::operator=(ReadDir&&) noexcept = default;
ReadDir::~ReadDir() = default;

Poll<std::optional<ReadDir::Item>> ReadDir::poll_next(Context& cx) {
    for (;;) {
        if (!ready_.empty()) {
            Item item = std::move(ready_.front());
            ready_.pop_front();
            return pollen::detail::ready_some<Item>(std::move(item));
        }
        if (done_) return pollen::detail::ready_none<Item>();
        if (!busy_) {
            busy_.emplace(spawn_blocking(
                [dir = std::move(dir_)]() mutable { return detail::read_dir_batch(std::move(dir), kBatchSize); }));
        }
        auto p = busy_->poll(cx);
        if (p.is_pending()) return pending;
        auto joined = p.take();
        busy_.reset();
        if (joined.is_err()) {
            // The runtime shut down before the batch ran; the directory went with it.
            done_ = true;
            return pollen::detail::ready_some<Item>(
                Item(Err(Error(io::error(std::errc::operation_canceled), "read_dir", path_))));
        }
        detail::DirBatch batch = std::move(joined).value();
        dir_ = std::move(batch.dir);
        done_ = batch.done;
        for (auto& e : batch.entries) ready_.push_back(std::move(e));
    }
}

FsFuture<ReadDir> read_dir(std::filesystem::path path) {
    return FsFuture<ReadDir>("read_dir", path, [path]() -> Result<ReadDir> {
        DIR* d = ::opendir(path.c_str());
        if (!d) return Err(Error(detail::last_os_error(), "read_dir", path));
        return Ok(ReadDir(detail::DirHandle(new detail::DirStream(d, path)), path));
    });
}

}  // namespace pollen::fs
