#pragma once
/// Metadata, FileType and Permissions: what `fs::metadata`,
/// `fs::symlink_metadata`, `File::metadata` and `DirEntry::metadata` report,
/// Rust's `std::fs::Metadata` family. A snapshot taken by one stat(2) call on
/// the blocking pool; plain values, nothing to wake or cancel.

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>

namespace pollen::fs {

/// The kind of a filesystem object (the S_IFMT bits of its mode).
class FileType {
public:
    FileType() = default;
    explicit FileType(mode_t mode) : fmt_(mode & S_IFMT) {}

    bool is_file() const noexcept { return fmt_ == S_IFREG; }
    bool is_dir() const noexcept { return fmt_ == S_IFDIR; }
    bool is_symlink() const noexcept { return fmt_ == S_IFLNK; }
    bool is_fifo() const noexcept { return fmt_ == S_IFIFO; }
    bool is_socket() const noexcept { return fmt_ == S_IFSOCK; }
    bool is_block_device() const noexcept { return fmt_ == S_IFBLK; }
    bool is_char_device() const noexcept { return fmt_ == S_IFCHR; }

    bool operator==(const FileType&) const = default;

private:
    mode_t fmt_ = 0;
};

/// The permission bits (and set-id/sticky bits) of a file's mode.
class Permissions {
public:
    Permissions() = default;
    explicit Permissions(mode_t mode) : mode_(mode & 07777) {}

    /// e.g. 0644.
    mode_t mode() const noexcept { return mode_; }
    /// True when nobody may write it (Rust's rule: no write bit at all).
    bool readonly() const noexcept { return (mode_ & 0222) == 0; }

    bool operator==(const Permissions&) const = default;

private:
    mode_t mode_ = 0;
};

class Metadata {
public:
    using time_point = std::chrono::system_clock::time_point;

    Metadata() = default;
    explicit Metadata(const struct stat& st) : st_(st) {}

    FileType file_type() const noexcept { return FileType(st_.st_mode); }
    bool is_file() const noexcept { return file_type().is_file(); }
    bool is_dir() const noexcept { return file_type().is_dir(); }
    /// Only a symlink_metadata (lstat) can see a symlink.
    bool is_symlink() const noexcept { return file_type().is_symlink(); }
    /// Size in bytes.
    std::uint64_t len() const noexcept { return static_cast<std::uint64_t>(st_.st_size); }
    Permissions permissions() const noexcept { return Permissions(st_.st_mode); }

    time_point modified() const noexcept { return to_time_point(st_.st_mtim); }
    time_point accessed() const noexcept { return to_time_point(st_.st_atim); }

    /// The raw stat(2) record, for what is not wrapped (inode, links, owner).
    const struct stat& as_stat() const noexcept { return st_; }

private:
    static time_point to_time_point(const timespec& ts) noexcept {
        auto d = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
        return time_point(std::chrono::duration_cast<time_point::duration>(d));
    }
    struct stat st_ {};
};

}  // namespace pollen::fs
