// copy_file: CopyLoop's states (see copy_loop.hpp).
#include "copy_loop.hpp"

#include <cassert>
#include <utility>

namespace copy_file {

namespace fs = pollen::fs;

CopyLoop::CopyLoop(std::filesystem::path src, std::filesystem::path dst, std::size_t buf_size,
                   std::function<void(const CopyProgress&)> on_progress)
    : src_(std::move(src)), dst_(std::move(dst)), on_progress_(std::move(on_progress)), buf_(buf_size) {}

pollen::Ready<CopyLoop::Output> CopyLoop::fail(std::error_code code, const char* op,
                                               const std::filesystem::path& path) {
    state_ = State::Done;
    return pollen::ready(Output(pollen::Err(fs::Error(code, op, path))));
}

pollen::Poll<CopyLoop::Output> CopyLoop::poll(pollen::Context& cx) {
    for (;;) {
        switch (state_) {
        case State::OpenSource: {
            if (!opening_) opening_.emplace(fs::File::open(src_));
            auto p = opening_->poll(cx);
            if (p.is_pending()) return pollen::pending;
            auto file = p.take();
            opening_.reset();
            if (file.is_err()) return fail(file.error(), "open", src_);
            from_.emplace(std::move(file).value());
            // One read(2) per buffer: the File reads at most max_buf_size per trip to the pool.
            from_->set_max_buf_size(buf_.size());
            stat_.emplace(from_->metadata());
            state_ = State::Stat;
            break;
        }
        case State::Stat: {
            auto p = stat_->poll(cx);
            if (p.is_pending()) return pollen::pending;
            auto meta = p.take();
            stat_.reset();
            if (meta.is_err()) return fail(meta.error(), "metadata", src_);
            if (meta.value().is_dir()) return fail(std::make_error_code(std::errc::is_a_directory), "read", src_);
            progress_.total = meta.value().len();
            opening_.emplace(fs::File::create(dst_));
            state_ = State::OpenDest;
            break;
        }
        case State::OpenDest: {
            auto p = opening_->poll(cx);
            if (p.is_pending()) return pollen::pending;
            auto file = p.take();
            opening_.reset();
            if (file.is_err()) return fail(file.error(), "create", dst_);
            to_.emplace(std::move(file).value());
            to_->set_max_buf_size(buf_.size());
            on_progress_(progress_);
            state_ = State::Read;
            break;
        }
        case State::Read: {
            auto p = from_->poll_read(cx, buf_);
            if (p.is_pending()) return pollen::pending;
            auto n = p.take();
            if (n.is_err()) return fail(n.error(), "read", src_);
            if (n.value() == 0) {
                state_ = State::Flush;
                break;
            }
            filled_ = n.value();
            written_ = 0;
            state_ = State::Write;
            break;
        }
        case State::Write: {
            // write_all by hand: a write may take fewer bytes than offered.
            // A File's poll_write accepts the bytes into its own buffer and
            // starts the write(2) on the pool, so the next Read overlaps with it;
            // a failed write shows up at the next poll_write or the flush.
            auto p = to_->poll_write(cx, {buf_.data() + written_, filled_ - written_});
            if (p.is_pending()) return pollen::pending;
            auto n = p.take();
            if (n.is_err()) return fail(n.error(), "write", dst_);
            if (n.value() == 0) return fail(std::make_error_code(std::errc::io_error), "write", dst_);
            written_ += n.value();
            progress_.copied += n.value();
            if (written_ == filled_) {
                on_progress_(progress_);
                state_ = State::Read;
            }
            break;
        }
        case State::Flush: {
            // The last write may still be running on the pool: wait for it,
            // and for its error, before calling the copy done.
            auto p = to_->poll_flush(cx);
            if (p.is_pending()) return pollen::pending;
            auto r = p.take();
            if (r.is_err()) return fail(r.error(), "write", dst_);
            state_ = State::Done;
            from_.reset();
            to_.reset();
            return pollen::ready(Output(pollen::Ok(progress_.copied)));
        }
        case State::Done:
            assert(false && "CopyLoop polled after Ready");
            return pollen::pending;
        }
    }
}

}  // namespace copy_file
