#pragma once
// FileBuf: File's one intermediate buffer (Tokio's io::blocking::Buf). It
// holds either read-ahead bytes not yet handed to the caller, or bytes
// accepted by poll_write and not yet written; it travels into the blocking
// closure and back, so only one side touches it at a time. Its storage is
// not zero-filled: a 2 MiB read does not first memset 2 MiB.

#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <system_error>

#include "../../core/detail/syscall.hpp"
#include "../../core/io/error.hpp"

namespace pollen::fs::detail {

class FileBuf {
public:
    /// Unread bytes (read-ahead, or written-but-not-flushed).
    std::size_t remaining() const noexcept { return len_ - pos_; }
    bool is_empty() const noexcept { return remaining() == 0; }

    /// Hands read-ahead bytes to the caller.
    std::size_t copy_to(std::span<std::byte> dst) noexcept {
        std::size_t n = std::min(remaining(), dst.size());
        if (n) std::memcpy(dst.data(), data_.get() + pos_, n);
        pos_ += n;
        if (pos_ == len_) clear();
        return n;
    }

    /// Takes up to `max` bytes of `src` for a write; the buffer must be empty.
    std::size_t copy_from(std::span<const std::byte> src, std::size_t max) {
        assert(is_empty());
        std::size_t n = std::min(src.size(), max);
        reserve(n);
        if (n) std::memcpy(data_.get(), src.data(), n);
        pos_ = 0;
        len_ = n;
        return n;
    }

    /// Makes room for one read of up to min(want, max) bytes.
    void prepare_read(std::size_t want, std::size_t max) {
        assert(is_empty());
        std::size_t n = std::min(want, max);
        reserve(n);
        pos_ = 0;
        len_ = n;
    }

    /// Fills the prepared space with one read(2); on error the buffer is empty.
    io::Result<std::size_t> read_from(int fd) {
        ssize_t n;
        do n = ::read(fd, data_.get(), len_);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            std::error_code e(errno, std::system_category());
            clear();
            return Err(e);
        }
        len_ = static_cast<std::size_t>(n);
        pos_ = 0;
        return Ok(static_cast<std::size_t>(n));
    }

    /// Writes every buffered byte; the buffer is empty afterwards either way.
    io::Result<void> write_to(int fd) {
        std::error_code err;
        while (pos_ < len_) {
            ssize_t n = pollen::detail::sys::write(fd, data_.get() + pos_, len_ - pos_);
            if (n < 0) {
                if (errno == EINTR) continue;
                err = std::error_code(errno, std::system_category());
                break;
            }
            if (n == 0) {
                err = io::error(io::errc::write_zero);
                break;
            }
            pos_ += static_cast<std::size_t>(n);
        }
        clear();
        if (err) return Err(err);
        return Ok();
    }

    /// Drops the read-ahead; returns how far the fd's offset is ahead of the
    /// caller's position (as a negative offset to seek by).
    std::int64_t discard_read() noexcept {
        auto back = -static_cast<std::int64_t>(remaining());
        clear();
        return back;
    }

    void clear() noexcept { pos_ = len_ = 0; }

private:
    void reserve(std::size_t n) {
        if (n <= cap_) return;
        data_.reset(new std::byte[n]);  // default-initialised: no zero fill
        cap_ = n;
    }

    std::unique_ptr<std::byte[]> data_;
    std::size_t cap_ = 0;
    std::size_t pos_ = 0;
    std::size_t len_ = 0;
};

}  // namespace pollen::fs::detail
