#pragma once
/// Operations on one path or a pair of paths, Tokio's `fs::rename`,
/// `remove_file`, `hard_link`, `symlink`, `read_link`, `canonicalize`,
/// `metadata`, `symlink_metadata`, `set_permissions` and `try_exists`.
/// Futures of fs::Result (the error names the path, both paths for two-path
/// calls); each is one syscall on the blocking pool, woken from the pool
/// thread; destroying one mid-way lets the syscall finish there (fs_future.hpp).

#include <filesystem>

#include "fs_future.hpp"
#include "metadata.hpp"

namespace pollen::fs {

/// rename(2): replaces `to` if it exists (a file, or an empty directory for a directory).
FsFuture<void> rename(std::filesystem::path from, std::filesystem::path to);
/// unlink(2): a file or a symlink, not a directory.
FsFuture<void> remove_file(std::filesystem::path path);
/// link(2): `link` becomes another name of `original`.
FsFuture<void> hard_link(std::filesystem::path original, std::filesystem::path link);
/// symlink(2): `link` points at `original` (which need not exist).
FsFuture<void> symlink(std::filesystem::path original, std::filesystem::path link);
/// readlink(2): where a symlink points.
FsFuture<std::filesystem::path> read_link(std::filesystem::path path);
/// realpath(3): absolute, with every symlink, "." and ".." resolved; the path must exist.
FsFuture<std::filesystem::path> canonicalize(std::filesystem::path path);
/// stat(2): follows symlinks.
FsFuture<Metadata> metadata(std::filesystem::path path);
/// lstat(2): a symlink's own metadata.
FsFuture<Metadata> symlink_metadata(std::filesystem::path path);
/// chmod(2).
FsFuture<void> set_permissions(std::filesystem::path path, Permissions perm);
/// True if the path exists (following symlinks), false if it does not; an
/// error only when that cannot be told (e.g. permission denied on a parent).
FsFuture<bool> try_exists(std::filesystem::path path);

}  // namespace pollen::fs
