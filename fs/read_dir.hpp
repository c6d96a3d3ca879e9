#pragma once
/// fs::read_dir(path): the entries of a directory, Tokio's `fs::read_dir`.
///
/// `read_dir(path)` is a future of fs::Result<ReadDir> that opens the
/// directory on the blocking pool. ReadDir is a Stream of
/// fs::Result<DirEntry> ("." and ".." left out, order unspecified): its
/// poll_next hands out entries it already has, and otherwise reads the next
/// batch of up to 32 entries on the blocking pool, woken from the pool
/// thread when the batch is there. A read error is one Err item, after which
/// the stream ends. Items are fs::Result rather than io::Result so that an
/// error names the directory (the choice is explained in error.hpp).
///
/// Destroying a ReadDir with a batch in flight lets the batch finish on the
/// pool, which then closes the directory; otherwise it closes at once.
/// ReadDir may be moved freely, also after polling.
///
/// DirEntry: the entry's full path (the directory joined with its name), its
/// file_name, and its FileType, which comes with the batch at no extra
/// syscall where the filesystem reports it (d_type), else from an lstat in
/// the batch. Like Rust's, the file type does not follow symlinks, nor does
/// `metadata()` (an lstat future, fs_future.hpp).

#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "../core/stream/stream_ext.hpp"
#include "../runtime/join_handle.hpp"
#include "fs_future.hpp"
#include "metadata.hpp"

namespace pollen::fs {

class DirEntry {
public:
    DirEntry(std::filesystem::path path, FileType type) : path_(std::move(path)), type_(type) {}

    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path file_name() const { return path_.filename(); }
    FileType file_type() const noexcept { return type_; }
    /// lstat of the entry, on the blocking pool.
    FsFuture<Metadata> metadata() const;

private:
    std::filesystem::path path_;
    FileType type_;
};

namespace detail {
struct DirStream;  // the open DIR*, closed by its destructor
struct DirStreamDeleter {
    void operator()(DirStream* d) const noexcept;
};
using DirHandle = std::unique_ptr<DirStream, DirStreamDeleter>;
struct DirBatch {
    DirHandle dir;  // null once the directory is exhausted
    std::vector<Result<DirEntry>> entries;
    bool done = false;
};
/// Reads up to `max` entries on the calling (blocking) thread.
DirBatch read_dir_batch(DirHandle dir, std::size_t max);
}  // namespace detail

class ReadDir : public StreamExt<ReadDir> {
public:
    using Item = Result<DirEntry>;
    static constexpr std::size_t kBatchSize = 32;

    ReadDir(detail::DirHandle dir, std::filesystem::path path);
    ReadDir(ReadDir&&) noexcept;
    ReadDir& operator=(ReadDir&&) noexcept;
    ~ReadDir();

    Poll<std::optional<Item>> poll_next(Context& cx);

private:
    detail::DirHandle dir_;  // with us while idle, with the pool while a batch runs
    std::filesystem::path path_;
    std::deque<Item> ready_;
    std::optional<JoinHandle<detail::DirBatch>> busy_;
    bool done_ = false;
};

FsFuture<ReadDir> read_dir(std::filesystem::path path);

}  // namespace pollen::fs
