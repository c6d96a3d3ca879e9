#pragma once
// The buffer and loop behind io::copy and io::copy_bidirectional (Tokio's
// CopyBuffer): read into a heap buffer, write it out, repeat; flush when the
// reader stalls with everything written (so a buffering writer cannot hold
// back bytes its peer waits for) and once more at end of stream.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "../../coop.hpp"
#include "../async_read.hpp"
#include "../async_write.hpp"

namespace pollen::io::detail {

class CopyBuffer {
public:
    static constexpr std::size_t kDefaultSize = 8 * 1024;

    explicit CopyBuffer(std::size_t size = kDefaultSize)
        : buf_(std::make_unique_for_overwrite<std::byte[]>(size)), size_(size) {}

    /// Ready with Ok(total bytes copied) once the reader ended and the writer
    /// took and flushed everything.
    template <AsyncRead R, AsyncWrite W>
    Poll<Result<std::uint64_t>> poll_copy(Context& cx, R& reader, W& writer) {
        for (;;) {
            // One budget unit per round, so a reader and writer that never
            // return Pending still let the worker run other tasks.
            if (!coop::poll_proceed(cx)) return pending;
            bool progressed = false;
            auto stall = [&]() -> Poll<Result<std::uint64_t>> {
                if (!progressed) coop::refund();
                return pending;
            };

            if (cap_ < size_ && !read_done_) {
                auto p = reader.poll_read(cx, std::span<std::byte>(buf_.get() + cap_, size_ - cap_));
                if (p.is_ready()) {
                    if (p.value().is_err()) return ready(Err(p.value().error()));
                    const std::size_t n = *p.value();
                    if (n == 0) read_done_ = true;
                    cap_ += n;
                    progressed = true;
                } else if (pos_ == cap_) {
                    // Nothing to write: make sure nothing sits in the writer either.
                    if (need_flush_) {
                        auto f = writer.poll_flush(cx);
                        if (f.is_pending()) return stall();
                        if (f.value().is_err()) return ready(Err(f.value().error()));
                        need_flush_ = false;
                    }
                    return stall();
                }
            }

            while (pos_ < cap_) {
                auto p = writer.poll_write(cx, std::span<const std::byte>(buf_.get() + pos_, cap_ - pos_));
                if (p.is_pending()) return stall();
                if (p.value().is_err()) return ready(Err(p.value().error()));
                const std::size_t n = *p.value();
                if (n == 0) return ready(Err(error(errc::write_zero)));
                pos_ += n;
                amt_ += n;
                need_flush_ = true;
                progressed = true;
            }

            if (read_done_) {
                auto f = writer.poll_flush(cx);
                if (f.is_pending()) return stall();
                if (f.value().is_err()) return ready(Err(f.value().error()));
                need_flush_ = false;
                return ready(Ok(amt_));
            }
            pos_ = cap_ = 0;
        }
    }

    std::uint64_t copied() const { return amt_; }

private:
    std::unique_ptr<std::byte[]> buf_;
    std::size_t size_;
    std::size_t pos_ = 0;  // next byte to write
    std::size_t cap_ = 0;  // end of the bytes read
    bool read_done_ = false;
    bool need_flush_ = false;
    std::uint64_t amt_ = 0;
};

}  // namespace pollen::io::detail
