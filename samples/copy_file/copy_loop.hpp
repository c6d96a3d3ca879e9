#pragma once
// copy_file: CopyLoop, the async book's copy loop as the state machine an
// `async fn` compiles to.
//
//     async fn copy(src: &Path, dst: &Path, buf_size: usize) -> io::Result<u64> {
//         let mut from = File::open(src).await?;                     // OpenSource
//         let len = from.metadata().await?.len();                    // Stat
//         let mut to = File::create(dst).await?;                     // OpenDest
//         let mut buf = vec![0; buf_size];
//         loop {
//             let n = from.read(&mut buf).await?;                    // Read
//             if n == 0 { break }
//             to.write_all(&buf[..n]).await?;                        // Write
//             progress(copied, len);
//         }
//         to.flush().await?;                                         // Flush
//         Ok(copied)
//     }
//
// Each `.await` is a state below; `poll` runs from the current state until
// an operation on the blocking pool has to finish (Pending: the pool thread
// wakes the task when it does) or the copy is done. The Files live inside
// the future and are used by reference (their poll_read / poll_write), so
// the future must not move once polled; spawn or block_on it directly.
// Destroying it mid-way closes both files; an operation in flight finishes
// on the pool (fs/file.hpp), and the destination keeps what was written.
//
// Errors carry the path they concern: "open /x: No such file or directory".

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include <pollen.hpp>

namespace copy_file {

/// How far the copy is; what the progress callback is shown.
struct CopyProgress {
    std::uint64_t copied = 0;
    std::uint64_t total = 0;  // the source's size when it was opened
};

class CopyLoop : public pollen::FutureExt<CopyLoop> {
public:
    /// The bytes copied, or the error with its path.
    using Output = pollen::fs::Result<std::uint64_t>;

    CopyLoop(std::filesystem::path src, std::filesystem::path dst, std::size_t buf_size,
             std::function<void(const CopyProgress&)> on_progress);

    pollen::Poll<Output> poll(pollen::Context& cx);

private:
    enum class State { OpenSource, Stat, OpenDest, Read, Write, Flush, Done };

    pollen::Ready<Output> fail(std::error_code code, const char* op, const std::filesystem::path& path);

    State state_ = State::OpenSource;
    std::filesystem::path src_, dst_;
    std::function<void(const CopyProgress&)> on_progress_;
    std::optional<pollen::fs::FsFuture<pollen::fs::File>> opening_;
    std::optional<pollen::fs::File> from_, to_;
    std::optional<pollen::fs::FileOp<pollen::fs::Metadata>> stat_;
    std::vector<std::byte> buf_;
    std::size_t filled_ = 0, written_ = 0;  // buf_[written_, filled_) is still to write
    CopyProgress progress_;
};

}  // namespace copy_file
