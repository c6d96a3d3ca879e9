#pragma once
/// BufReader<R>: adds a buffer to a reader, Rust's `tokio::io::BufReader`.
///
/// It is AsyncRead and AsyncBufRead: `poll_fill_buf` reads from the inner
/// reader only when the buffer (8 KiB by default) is empty; `poll_read`
/// serves bytes from the buffer, and goes straight to the inner reader when
/// the buffer is empty and the caller's buffer is at least as large. It
/// passes AsyncWrite through when the inner stream has it. Its line helpers
/// (`read_line`, `read_until`, `lines`) apply the reader's max line length
/// (unlimited unless set), so a peer sending an endless line gets an error
/// instead of unbounded memory.
///
/// `R` is the reader (owned) or a reference to it (borrowed). Polls are
/// woken by whatever wakes the inner reader. Destroying a BufReader drops
/// the bytes it buffered but nobody consumed.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "async_buf_read.hpp"
#include "async_read.hpp"
#include "async_write.hpp"
#include "lines.hpp"
#include "read_line.hpp"
#include "read_until.hpp"

namespace pollen::io {

template <class R>
    requires AsyncRead<std::remove_reference_t<R>>
class BufReader {
    using Inner = std::remove_reference_t<R>;

public:
    static constexpr std::size_t kDefaultCapacity = 8 * 1024;

    explicit BufReader(R inner, std::size_t capacity = kDefaultCapacity)
        : inner_(std::forward<R>(inner)),
          buf_(std::make_unique_for_overwrite<std::byte[]>(std::max<std::size_t>(capacity, 1))),
          cap_(std::max<std::size_t>(capacity, 1)) {}

    BufReader(BufReader&&) noexcept = default;

    // ---- AsyncRead
    Poll<Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        if (pos_ == filled_ && buf.size() >= cap_) {
            // Buffering would only add a copy.
            pos_ = filled_ = 0;
            return inner_.poll_read(cx, buf);
        }
        auto p = poll_fill_buf(cx);
        if (p.is_pending()) return pending;
        if (p.value().is_err()) return ready(Err(p.value().error()));
        const std::span<const std::byte> avail = *p.value();
        const std::size_t n = std::min(avail.size(), buf.size());
        if (n > 0) std::memcpy(buf.data(), avail.data(), n);
        consume(n);
        return ready(Ok(n));
    }

    // ---- AsyncBufRead
    Poll<Result<std::span<const std::byte>>> poll_fill_buf(Context& cx) {
        if (pos_ >= filled_) {
            auto p = inner_.poll_read(cx, std::span<std::byte>(buf_.get(), cap_));
            if (p.is_pending()) return pending;
            if (p.value().is_err()) return ready(Err(p.value().error()));
            filled_ = *p.value();
            pos_ = 0;
        }
        return ready(Ok(buffer()));
    }
    void consume(std::size_t n) { pos_ = std::min(pos_ + n, filled_); }

    // ---- AsyncWrite, passed through
    Poll<Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf)
        requires AsyncWrite<Inner> {
        return inner_.poll_write(cx, buf);
    }
    Poll<Result<std::size_t>> poll_write_vectored(Context& cx, IoSlices bufs)
        requires AsyncWrite<Inner> {
        return io::poll_write_vectored(inner_, cx, bufs);
    }
    Poll<Result<void>> poll_flush(Context& cx) requires AsyncWrite<Inner> { return inner_.poll_flush(cx); }
    Poll<Result<void>> poll_shutdown(Context& cx) requires AsyncWrite<Inner> {
        return inner_.poll_shutdown(cx);
    }

    // ---- line helpers, bounded by max_line_length()
    // (auto: these types check AsyncBufRead<BufReader>, which needs the complete class.)
    /// See read_line.hpp.
    auto read_line(std::string& buf) { return ReadLine<BufReader>(*this, buf, max_line_); }
    /// See read_until.hpp.
    auto read_until(std::byte delim, std::vector<std::byte>& buf) {
        return ReadUntil<BufReader>(*this, delim, buf, max_line_);
    }
    /// The lines of this reader, borrowing it (see lines.hpp).
    auto lines() & { return Lines<BufReader&>(*this, max_line_); }
    /// The lines of this reader, which the stream takes over.
    auto lines() && {
        const std::size_t max = max_line_;
        return Lines<BufReader>(std::move(*this), max);
    }

    /// Longest line the line helpers accept (its terminator not counted).
    std::size_t max_line_length() const { return max_line_; }
    void set_max_line_length(std::size_t n) { max_line_ = n; }
    BufReader&& with_max_line_length(std::size_t n) && {
        max_line_ = n;
        return std::move(*this);
    }

    /// The bytes buffered and not yet consumed.
    std::span<const std::byte> buffer() const { return {buf_.get() + pos_, filled_ - pos_}; }
    std::size_t capacity() const { return cap_; }
    Inner& get_mut() { return inner_; }
    const Inner& get_ref() const { return inner_; }
    /// The inner reader; buffered bytes are lost.
    R into_inner() && { return std::forward<R>(inner_); }

private:
    R inner_;
    std::unique_ptr<std::byte[]> buf_;
    std::size_t cap_;
    std::size_t pos_ = 0;
    std::size_t filled_ = 0;
    std::size_t max_line_ = unlimited;
};

template <class R>
BufReader(R&&) -> BufReader<R>;
template <class R>
BufReader(R&&, std::size_t) -> BufReader<R>;

}  // namespace pollen::io
