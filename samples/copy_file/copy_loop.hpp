#pragma once
// copy_file: CopyLoop, the async book's copy loop, written as the Rust
// `async fn` it stands for with pollen's resumable body (core/async_fn.hpp):
//
//     async fn copy(src: &Path, dst: &Path, buf_size: usize) -> io::Result<u64> {
//         let mut from = File::open(src).await?;
//         let len = from.metadata().await?.len();
//         let mut to = File::create(dst).await?;
//         let mut buf = vec![0; buf_size];
//         loop {
//             let n = from.read(&mut buf).await?;
//             if n == 0 { break }
//             to.write_all(&buf[..n]).await?;
//             progress(copied, len);
//         }
//         to.flush().await?;
//         Ok(copied)
//     }
//
// copy_loop.cpp's poll is that body line for line, each `.await?` a
// POLLEN_LET_TRY / POLLEN_AWAIT_TRY. A poll runs from the await it was parked
// at until an operation on the blocking pool has to finish (Pending: the pool
// thread wakes the task when it does) or the copy is done. What lives across
// an await (the Files, the buffer, the progress) is a member; the Files are
// used by reference (io::read, io::write_all hold `File&`), so the future must
// not move once polled: spawn or block_on it directly. Destroying it mid-way
// closes both files; an operation in flight finishes on the pool
// (fs/file.hpp), and the destination keeps what was written.
//
// Errors carry the path they concern: "open /x: No such file or directory".

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

/// Ready with the bytes copied, or the error with its path.
class CopyLoop : public pollen::Async<CopyLoop, pollen::fs::Result<std::uint64_t>> {
public:
    CopyLoop(std::filesystem::path src, std::filesystem::path dst, std::size_t buf_size,
             std::function<void(const CopyProgress&)> on_progress);

    pollen::Poll<Output> poll(pollen::Context& cx);

private:
    std::filesystem::path src_, dst_;
    std::function<void(const CopyProgress&)> on_progress_;
    std::optional<pollen::fs::File> from_, to_;
    std::optional<pollen::fs::Metadata> meta_;
    std::vector<std::byte> buf_;
    std::size_t n_ = 0;  // bytes in buf_ from the last read
    CopyProgress progress_;
    POLLEN_FRAME;
};

}  // namespace copy_file
