// copy_file: CopyLoop's body (see copy_loop.hpp).
#include "copy_loop.hpp"

#include <span>
#include <system_error>
#include <utility>

namespace copy_file {

namespace fs = pollen::fs;
namespace io = pollen::io;

namespace {

/// A File's own operations fail with a bare error code; this names the
/// operation and path, for map_err.
auto on(const char* op, const std::filesystem::path& path) {
    return [op, &path](std::error_code code) { return fs::Error(code, op, path); };
}

}  // namespace

CopyLoop::CopyLoop(std::filesystem::path src, std::filesystem::path dst, std::size_t buf_size,
                   std::function<void(const CopyProgress&)> on_progress)
    : src_(std::move(src)), dst_(std::move(dst)), on_progress_(std::move(on_progress)), buf_(buf_size) {}

pollen::Poll<CopyLoop::Output> CopyLoop::poll(pollen::Context& cx) {
    POLLEN_BEGIN(cx);
    POLLEN_LET_TRY(from_, fs::File::open(src_));                          // let mut from = File::open(src).await?;
    // One read(2) per buffer: the File reads at most max_buf_size per trip to the pool.
    from_->set_max_buf_size(buf_.size());
    POLLEN_LET_TRY(meta_, from_->metadata().map_err(on("metadata", src_)));  // from.metadata().await?
    if (meta_->is_dir())
        POLLEN_RETURN(pollen::Err(fs::Error(std::make_error_code(std::errc::is_a_directory), "read", src_)));
    progress_.total = meta_->len();
    POLLEN_LET_TRY(to_, fs::File::create(dst_).map_err(on("create", dst_)));  // let mut to = File::create(dst).await?;
    to_->set_max_buf_size(buf_.size());
    on_progress_(progress_);
    for (;;) {
        POLLEN_LET_TRY(n_, io::read(*from_, buf_).map_err(on("read", src_)));  // let n = from.read(&mut buf).await?;
        if (n_ == 0) break;
        // A File's write accepts the bytes into its own buffer and starts the
        // write(2) on the pool, so the next read overlaps with it; a failed
        // write shows up at the next write or the flush.
        POLLEN_AWAIT_TRY(io::write_all(*to_, std::span(buf_).first(n_)).map_err(on("write", dst_)));
        progress_.copied += n_;
        on_progress_(progress_);
    }
    // The last write may still be running on the pool: wait for it, and for
    // its error, before calling the copy done.
    POLLEN_AWAIT_TRY(io::flush(*to_).map_err(on("write", dst_)));  // to.flush().await?;
    from_.reset();
    to_.reset();
    POLLEN_RETURN(pollen::Ok(progress_.copied));
    POLLEN_END;
}

}  // namespace copy_file
