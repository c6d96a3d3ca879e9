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
// Rust would write this as an `async_stream` block, a loop that `.await`s and
// yields. pollen's resumable body (core/async_fn.hpp) has no yield, so the
// loop is cut at each yield: `Step` is `async fn next(&mut self) -> Option<Item>`,
// one run of it per item, and poll_next keeps the running one in a Slot. What
// must survive from one item to the next lives in WalkDir itself: whether the
// root was stat'ed, the directory being read, and `pending_`, the work list of
// directories found but not yet opened. One directory is read at a time; the
// files it yields are what the caller runs concurrently. Destroying it mid-way
// drops the operation in flight (fs_future.hpp: the blocking call finishes on
// the pool and its result is discarded).

#include <filesystem>
#include <optional>
#include <vector>

#include <pollen.hpp>

namespace file_stats {

class WalkDir : public pollen::StreamExt<WalkDir> {
public:
    using Item = pollen::fs::Result<pollen::fs::DirEntry>;

    explicit WalkDir(std::filesystem::path root) : root_(std::move(root)) {}

    pollen::Poll<std::optional<Item>> poll_next(pollen::Context& cx) {
        if (step_.is_empty()) step_.emplace(*this);
        return step_.poll(cx);
    }

private:
    /// The walk up to its next item; borrows the WalkDir that runs it.
    struct Step : pollen::Async<Step, std::optional<Item>> {
        WalkDir& walk;
        std::optional<pollen::fs::Result<pollen::fs::Metadata>> root;
        std::optional<Item> entry;
        std::filesystem::path dir;
        std::optional<pollen::fs::Result<pollen::fs::ReadDir>> opened;
        explicit Step(WalkDir& w) : walk(w) {}
        pollen::Poll<Output> poll(pollen::Context& cx);
        POLLEN_FRAME;
    };

    std::filesystem::path root_;
    bool started_ = false;
    std::vector<std::filesystem::path> pending_;
    std::optional<pollen::fs::ReadDir> reading_;
    pollen::Slot<Step> step_;  // last: destroyed first, as it borrows the rest
};

}  // namespace file_stats
