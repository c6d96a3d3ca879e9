#pragma once
/// BufWriter<W>: adds a buffer to a writer, Rust's `tokio::io::BufWriter`.
///
/// It is AsyncWrite: `poll_write` copies small writes into its buffer (8 KiB
/// by default) and is Ready at once while they fit; when a write does not
/// fit it first writes the buffer out to the inner writer; a write at least
/// as large as the buffer goes straight through. `poll_flush` writes the
/// buffer out, then flushes the inner writer; `poll_shutdown` writes it out,
/// then shuts the inner writer down. It passes AsyncRead and AsyncBufRead
/// through when the inner stream has them.
///
/// `W` is the writer (owned) or a reference to it (borrowed). Polls are
/// woken by whatever wakes the inner writer. Destroying a BufWriter with
/// unflushed bytes drops them (a destructor cannot wait): flush or shut
/// down first.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>

#include "async_buf_read.hpp"
#include "async_read.hpp"
#include "async_write.hpp"

namespace pollen::io {

template <class W>
    requires AsyncWrite<std::remove_reference_t<W>>
class BufWriter {
    using Inner = std::remove_reference_t<W>;

public:
    static constexpr std::size_t kDefaultCapacity = 8 * 1024;

    explicit BufWriter(W inner, std::size_t capacity = kDefaultCapacity)
        : inner_(std::forward<W>(inner)),
          buf_(std::make_unique_for_overwrite<std::byte[]>(std::max<std::size_t>(capacity, 1))),
          cap_(std::max<std::size_t>(capacity, 1)) {}

    BufWriter(BufWriter&&) noexcept = default;

    // ---- AsyncWrite
    Poll<Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf) {
        if (len_ + buf.size() > cap_) {
            auto f = flush_buf(cx);
            if (f.is_pending()) return pending;
            if (f.value().is_err()) return ready(Err(f.value().error()));
        }
        if (buf.size() >= cap_) return inner_.poll_write(cx, buf);
        std::memcpy(buf_.get() + len_, buf.data(), buf.size());
        len_ += buf.size();
        return ready(Ok(buf.size()));
    }

    Poll<Result<std::size_t>> poll_write_vectored(Context& cx, IoSlices bufs) {
        std::size_t total = 0;
        for (auto b : bufs) total += b.size();
        if (len_ + total > cap_) {
            auto f = flush_buf(cx);
            if (f.is_pending()) return pending;
            if (f.value().is_err()) return ready(Err(f.value().error()));
        }
        if (total >= cap_) return io::poll_write_vectored(inner_, cx, bufs);
        for (auto b : bufs) {
            if (b.empty()) continue;
            std::memcpy(buf_.get() + len_, b.data(), b.size());
            len_ += b.size();
        }
        return ready(Ok(total));
    }

    Poll<Result<void>> poll_flush(Context& cx) {
        auto f = flush_buf(cx);
        if (f.is_pending()) return pending;
        if (f.value().is_err()) return f;
        return inner_.poll_flush(cx);
    }

    Poll<Result<void>> poll_shutdown(Context& cx) {
        auto f = flush_buf(cx);
        if (f.is_pending()) return pending;
        if (f.value().is_err()) return f;
        return inner_.poll_shutdown(cx);
    }

    // ---- AsyncRead / AsyncBufRead, passed through
    Poll<Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) requires AsyncRead<Inner> {
        return inner_.poll_read(cx, buf);
    }
    Poll<Result<std::span<const std::byte>>> poll_fill_buf(Context& cx) requires AsyncBufRead<Inner> {
        return inner_.poll_fill_buf(cx);
    }
    void consume(std::size_t n) requires AsyncBufRead<Inner> { inner_.consume(n); }

    /// The bytes written to this BufWriter and not yet to the inner writer.
    std::span<const std::byte> buffer() const { return {buf_.get() + written_, len_ - written_}; }
    std::size_t capacity() const { return cap_; }
    Inner& get_mut() { return inner_; }
    const Inner& get_ref() const { return inner_; }
    /// The inner writer; unflushed bytes are lost.
    W into_inner() && { return std::forward<W>(inner_); }

private:
    /// Writes the buffer out to the inner writer (not flushing it).
    Poll<Result<void>> flush_buf(Context& cx) {
        while (written_ < len_) {
            auto p = inner_.poll_write(cx, std::span<const std::byte>(buf_.get() + written_, len_ - written_));
            if (p.is_pending()) return pending;
            if (p.value().is_err()) return ready(Err(p.value().error()));
            if (*p.value() == 0) return ready(Err(error(errc::write_zero)));
            written_ += *p.value();
        }
        written_ = len_ = 0;
        return ready(Ok());
    }

    W inner_;
    std::unique_ptr<std::byte[]> buf_;
    std::size_t cap_;
    std::size_t len_ = 0;      // bytes in the buffer
    std::size_t written_ = 0;  // of which already written to the inner writer
};

template <class W>
BufWriter(W&&) -> BufWriter<W>;
template <class W>
BufWriter(W&&, std::size_t) -> BufWriter<W>;

}  // namespace pollen::io
