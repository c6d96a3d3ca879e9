#pragma once
// file_stats: CountEntry, the future that turns one walked entry into an
// Outcome; for a file, by opening it and counting it chunk by chunk.
//
// In Rust this is the `async move { match entry { ... } }` block that the
// pipeline maps every entry to, and count_entry.cpp's poll is that block
// line for line, written with pollen's resumable body (core/async_fn.hpp):
//
//     let path = entry?.path();                       // an Err item: Error
//     if is_dir { return Dir }
//     if is_symlink { if !fs::metadata(&path).await?.is_file() { return Skipped } }
//     else if !is_file { return Skipped }
//     let (head, rest) = open_and_read_head(&path).await?;
//     loop { let n = file.read(&mut buf).await?; if n == 0 { break } counter.feed(&buf[..n]) }
//
// Each poll resumes at the await it was parked at and runs until a syscall
// on the blocking pool has to finish (Pending; the pool thread wakes the
// task) or the outcome is known. Every error becomes an Outcome that names
// the path, so the body checks each result itself instead of using `?`.
//
// One liberty, taken for speed: every trip to the blocking pool is a hand-off
// between threads, so opening is one blocking call that opens the file *and*
// reads its first kBufSize bytes. Most files of a source tree are smaller
// than that and are done in that one trip (open + read + the read that sees
// the end) instead of three; a larger file goes on as an fs::File, read a
// chunk per trip, so memory stays at one buffer per file whatever its size.
// Tokio's own `fs::read` batches its syscalls the same way. Directories, errors of the walk and special files
// are Ready at the first poll. Not moved after its first poll (the File's
// reads hold its buffer); destroying it mid-way drops the File, whose
// operation in flight finishes on the pool.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include <pollen.hpp>

#include "counts.hpp"
#include "outcome.hpp"
#include "progress.hpp"
#include "walk_dir.hpp"

namespace file_stats {

class CountEntry : public pollen::Async<CountEntry, Outcome> {
public:
    static constexpr std::size_t kBufSize = 256 * 1024;

    CountEntry(WalkDir::Item item, std::shared_ptr<Progress> progress);

    pollen::Poll<Outcome> poll(pollen::Context& cx);

private:
    /// What the blocking open found: the first bytes, whether that was all,
    /// and if not the File to read the rest from.
    struct Opened {
        std::vector<std::byte> head;
        bool eof = false;
        std::optional<pollen::fs::File> rest;
    };
    static pollen::fs::Result<Opened> open_blocking(const std::filesystem::path& path);

    WalkDir::Item item_;
    std::shared_ptr<Progress> progress_;
    std::filesystem::path path_;
    std::optional<pollen::fs::Result<pollen::fs::Metadata>> target_;  // what a symlink points at
    std::optional<pollen::fs::Result<Opened>> opened_;
    std::optional<pollen::fs::File> file_;
    std::vector<std::byte> buf_;
    std::optional<pollen::io::Result<std::size_t>> read_;
    WordCounter counter_;
    POLLEN_FRAME;
};

}  // namespace file_stats
