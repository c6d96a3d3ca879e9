#pragma once
/// File: an open file, Tokio's `fs::File`; an AsyncRead and AsyncWrite
/// whose every syscall runs on the runtime's blocking pool.
///
/// Like Tokio's, it keeps one internal buffer (up to `max_buf_size()`, 2 MiB
/// by default) and at most one blocking operation in flight:
/// - `poll_read` hands out read-ahead bytes if it has some; otherwise it
///   starts one read(2) of up to min(buf.size(), max_buf_size()) bytes into
///   its buffer and is woken from the pool thread when it is done.
/// - `poll_write` copies the bytes into the buffer, starts the write(2) on
///   the pool, and is Ready at once: the bytes are accepted, not yet
///   written. The next operation first waits for that write; its error, if
///   any, comes back from the next `poll_write`, `poll_flush` (or
///   `io::flush`, `poll_shutdown`). Flush before relying on the data; flush
///   is not fsync (see `sync_all`).
/// - `seek`, `set_len`, `sync_all`, `sync_data` and `metadata` are futures
///   that wait for the operation in flight (keeping its write error for the
///   next write/flush), then run their own.
///
/// Used by one task at a time, by reference (like `&mut File`): the futures
/// of core/io and the ones below hold `File&`, so the File must outlive them
/// and must not move while one exists. It must be polled inside a runtime.
/// Destroying a future mid-way leaves its blocking operation to finish; the
/// File collects (and drops) its result at its next operation. Destroying
/// the File with an operation in flight detaches it: it completes on the
/// pool and the fd is closed when the last operation lets go of it. A write
/// that no thread had picked up when the runtime shut down still runs
/// (Tokio's mandatory blocking tasks). Destroying a File does not report
/// write errors: flush first to see them.
///
/// Errors are io::Result (a bare std::error_code; the File does not know its
/// path), see error.hpp. Opening (File::open, OpenOptions::open) gives
/// fs::Result, whose error carries the path.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <type_traits>

#include "../core/future_ext.hpp"
#include "../core/io/error.hpp"
#include "../runtime/join_handle.hpp"
#include "detail/file_op.hpp"
#include "fs_future.hpp"
#include "metadata.hpp"
#include "open_options.hpp"
#include "seek_from.hpp"

namespace pollen::fs {

template <class T>
class FileOp;

class File {
public:
    static constexpr std::size_t kDefaultMaxBufSize = 2 * 1024 * 1024;

    /// Opens read-only.
    static FsFuture<File> open(std::filesystem::path path);
    /// Opens write-only, creating the file or truncating it.
    static FsFuture<File> create(std::filesystem::path path);
    /// Opens read-write, failing if the file exists.
    static FsFuture<File> create_new(std::filesystem::path path);
    /// A fresh OpenOptions (all options off).
    static OpenOptions options() { return OpenOptions(); }

    /// Takes ownership of an open fd (Tokio's `File::from_std`).
    explicit File(int fd);
    File(File&&) noexcept = default;
    File& operator=(File&&) noexcept = default;
    ~File() = default;

    // AsyncRead / AsyncWrite: see the header comment.
    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf);
    Poll<io::Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf);
    Poll<io::Result<void>> poll_flush(Context& cx);
    Poll<io::Result<void>> poll_shutdown(Context& cx) { return poll_flush(cx); }

    /// Moves the cursor; Ready with the new offset from the start.
    FileOp<std::uint64_t> seek(SeekFrom pos);
    /// Flushes, then fsync(2): data and metadata reach the device.
    FileOp<void> sync_all();
    /// Flushes, then fdatasync(2).
    FileOp<void> sync_data();
    /// Flushes, then truncates or extends the file to `size` bytes (the cursor stays).
    FileOp<void> set_len(std::uint64_t size);
    /// Flushes, then fstat(2).
    FileOp<Metadata> metadata();

    int as_raw_fd() const noexcept { return fd_ ? fd_->get() : -1; }
    std::size_t max_buf_size() const noexcept { return max_buf_size_; }
    /// The most one read or write moves per blocking operation.
    void set_max_buf_size(std::size_t n) noexcept { max_buf_size_ = n ? n : 1; }

    // The FileOp futures' steps (also usable by hand-written futures).
    /// Ready once no operation is in flight; a failed write is kept for the
    /// next write/flush.
    Poll<void> poll_complete_inflight(Context& cx);
    /// Starts `req` (which needs no buffer or fd filled in); only when idle.
    void start_op(detail::OpRequest req);
    /// Ready with the result of the operation in flight.
    Poll<io::Result<detail::OpResult>> poll_op(Context& cx);

private:
    void spawn(detail::OpRequest req);

    std::shared_ptr<pollen::detail::OwnedFd> fd_;
    detail::FileBuf buf_;  // with the File while idle; with the pool thread while busy
    std::optional<JoinHandle<detail::OpResult>> busy_;
    std::error_code last_write_err_;
    std::size_t max_buf_size_ = kDefaultMaxBufSize;
};

/// The future of seek, set_len, sync_all, sync_data and metadata: waits for
/// the File's operation in flight, starts its own, and is Ready with its
/// result. Woken from the blocking pool's thread. Holds `File&`. Destroyed
/// mid-way, its operation (if started) still finishes, and the File drops its
/// result at the next operation.
template <class T>
class FileOp : public FutureExt<FileOp<T>> {
public:
    using Output = io::Result<T>;

    FileOp(File& file, detail::OpRequest req) : file_(file), req_(std::move(req)) {}

    Poll<Output> poll(Context& cx) {
        if (!started_) {
            if (file_.poll_complete_inflight(cx).is_pending()) return pending;
            file_.start_op(std::move(req_));
            started_ = true;
        }
        auto p = file_.poll_op(cx);
        if (p.is_pending()) return pending;
        auto r = p.take();
        if (r.is_err()) return ready(Output(Err(r.error())));
        if (r->error) return ready(Output(Err(r->error)));
        if constexpr (std::is_void_v<T>) return ready(Output(Ok()));
        else if constexpr (std::is_same_v<T, Metadata>) return ready(Output(Ok(Metadata(r->st))));
        else return ready(Output(Ok(static_cast<T>(r->value))));
    }

private:
    File& file_;
    detail::OpRequest req_;
    bool started_ = false;
};

}  // namespace pollen::fs
