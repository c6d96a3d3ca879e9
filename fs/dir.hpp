#pragma once
/// Creating and removing directories, Tokio's `fs::create_dir`,
/// `create_dir_all`, `remove_dir` and `remove_dir_all`. Futures of
/// fs::Result<void> whose error names the path; waking and cancellation as
/// fs_future.hpp says (once started, the operation completes).
///
/// - create_dir: one directory; fails if it exists or its parent does not.
/// - create_dir_all: the directory and any missing parents; an existing
///   directory is success.
/// - remove_dir: an empty directory.
/// - remove_dir_all: a directory and everything under it, never following
///   symlinks (a symlink itself is removed); a missing path is an error, as in Rust.

#include <filesystem>

#include "fs_future.hpp"

namespace pollen::fs {

FsFuture<void> create_dir(std::filesystem::path path);
FsFuture<void> create_dir_all(std::filesystem::path path);
FsFuture<void> remove_dir(std::filesystem::path path);
FsFuture<void> remove_dir_all(std::filesystem::path path);

}  // namespace pollen::fs
