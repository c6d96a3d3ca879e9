#pragma once
// file_stats: WalkDir, every entry under a root as a Stream (the walkdir
// crate's `WalkDir`, made async with pollen::fs::read_dir).
//
// The root comes first (stat'ed, so a symlinked root is followed), then every
// entry below it, directories included, each directory before its contents.
// Symlinks are yielded as symlinks and never descended into, so a link cycle
// cannot loop. A directory that cannot be read is still yielded as an entry
// (found) and then gives one Err item naming it (not read); the walk goes on.
//
// Rust would write this as an `async_stream` or a loop with `.await`s; here
// it is the state machine itself: at any time it is stat'ing the root,
// opening one directory, or reading the batches of one, and `pending_` is
// the work list of directories found but not yet opened. One directory is
// read at a time; the files it yields are what the caller runs concurrently.
// Destroying it mid-way drops the operation in flight (fs_future.hpp: the
// blocking call finishes on the pool and its result is discarded).

#include <filesystem>
#include <optional>
#include <vector>

#include <pollen.hpp>

namespace file_stats {

class WalkDir : public pollen::StreamExt<WalkDir> {
public:
    using Item = pollen::fs::Result<pollen::fs::DirEntry>;

    explicit WalkDir(std::filesystem::path root) : root_(std::move(root)) {}

    pollen::Poll<std::optional<Item>> poll_next(pollen::Context& cx);

private:
    std::filesystem::path root_;
    bool started_ = false;
    std::optional<pollen::fs::FsFuture<pollen::fs::Metadata>> root_stat_;
    std::vector<std::filesystem::path> pending_;
    std::optional<pollen::fs::FsFuture<pollen::fs::ReadDir>> opening_;
    std::optional<pollen::fs::ReadDir> reading_;
};

}  // namespace file_stats
