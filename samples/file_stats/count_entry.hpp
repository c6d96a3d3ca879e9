#pragma once
// file_stats: CountEntry, the future that turns one walked entry into an
// Outcome; for a file, by opening it and counting it chunk by chunk.
//
// In Rust this is the `async move { match entry { ... } }` block that the
// pipeline maps every entry to:
//
//     let path = entry?.path();                       // an Err item: Error
//     if is_symlink { if !fs::metadata(&path).await?.is_file() { return Skipped } }
//     let mut file = File::open(&path).await?;
//     loop { let n = file.read(&mut buf).await?; if n == 0 { break } counter.feed(&buf[..n]) }
//
// Written out, every `.await` is a state: Stat (symlinks only), Open, Read.
// Each poll resumes the state it left and runs until a syscall on the
// blocking pool has to finish (Pending; the pool thread wakes the task) or
// the outcome is known.
//
// One liberty, taken for speed: every trip to the blocking pool is a hand-off
// between threads, so Open is one spawn_blocking that opens the file *and*
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

class CountEntry : public pollen::FutureExt<CountEntry> {
public:
    using Output = Outcome;

    static constexpr std::size_t kBufSize = 256 * 1024;

    CountEntry(WalkDir::Item item, std::shared_ptr<Progress> progress);

    pollen::Poll<Outcome> poll(pollen::Context& cx);

private:
    enum class State { Decided, Stat, Open, Read };

    /// What the blocking half of Open found: the first bytes, whether that
    /// was all, and if not the File to read the rest from.
    struct Opened {
        std::vector<std::byte> head;
        bool eof = false;
        std::optional<pollen::fs::File> rest;
    };
    static pollen::fs::Result<Opened> open_blocking(const std::filesystem::path& path);
    void start_open();

    pollen::Ready<Outcome> finish(Outcome o);

    State state_ = State::Decided;
    std::filesystem::path path_;
    std::shared_ptr<Progress> progress_;
    std::optional<Outcome> decided_;  // known without any I/O
    std::optional<pollen::fs::FsFuture<pollen::fs::Metadata>> stat_;
    std::optional<pollen::JoinHandle<pollen::fs::Result<Opened>>> open_;
    std::optional<pollen::fs::File> file_;
    std::vector<std::byte> buf_;
    WordCounter counter_;
};

}  // namespace file_stats
