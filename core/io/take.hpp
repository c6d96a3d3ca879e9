#pragma once
/// io::take(reader, limit): a reader that reads at most `limit` bytes from
/// `reader` and then reports end of stream, Rust's `AsyncReadExt::take`
/// (`tokio::io::Take`).
///
/// Take is AsyncRead: `poll_read` asks the inner reader for at most
/// `limit()` bytes (a larger buffer is cut down to that) and lowers the
/// limit by what it got; once the limit is 0 it answers Ready(Ok(0)), end
/// of stream, without touching the inner reader. When the inner reader is
/// AsyncBufRead so is Take: `poll_fill_buf` shows at most `limit()` of the
/// inner buffer and `consume` lowers the limit. Pending and wake-ups are
/// the inner reader's, which the bytes past the limit are left in.
/// `set_limit(n)` allows n more bytes (a Take at 0 reads again), as in
/// Tokio; `limit()`, `get_ref()`, `get_mut()` and `into_inner()` are
/// Tokio's too.
///
/// `io::take(reader, n)` borrows an lvalue reader (which must outlive the
/// Take) and takes ownership of an rvalue one. A Take holds no waker and no
/// future: moving or destroying it between reads loses nothing (a read
/// future over it borrows it like any reader). One thread at a time.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include "async_buf_read.hpp"
#include "async_read.hpp"

namespace pollen::io {

/// `R` is an AsyncRead type, or a reference to one.
template <class R>
    requires AsyncRead<std::remove_reference_t<R>>
class Take {
    using Inner = std::remove_reference_t<R>;

public:
    Take(R reader, std::uint64_t limit) : inner_(std::forward<R>(reader)), limit_(limit) {}

    /// The bytes this Take may still read before it reports end of stream.
    std::uint64_t limit() const { return limit_; }
    /// Allows `limit` more bytes from here, whatever was read before.
    void set_limit(std::uint64_t limit) { limit_ = limit; }

    const Inner& get_ref() const { return inner_; }
    /// The inner reader; reading it directly does not lower the limit.
    Inner& get_mut() { return inner_; }
    /// The inner reader (or the reference to it), with the bytes past the limit.
    R into_inner() && { return std::forward<R>(inner_); }

    Poll<Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        if (limit_ == 0) return ready(Ok(std::size_t{0}));
        auto p = inner_.poll_read(cx, buf.first(cap(buf.size())));
        if (p.is_ready() && p.value().is_ok()) limit_ -= *p.value();
        return p;
    }

    Poll<Result<std::span<const std::byte>>> poll_fill_buf(Context& cx)
        requires AsyncBufRead<Inner>
    {
        if (limit_ == 0) return ready(Ok(std::span<const std::byte>()));
        auto p = inner_.poll_fill_buf(cx);
        if (p.is_pending() || p.value().is_err()) return p;
        const std::span<const std::byte> avail = *p.value();
        return ready(Ok(avail.first(cap(avail.size()))));
    }

    void consume(std::size_t n)
        requires AsyncBufRead<Inner>
    {
        n = cap(n);
        limit_ -= n;
        inner_.consume(n);
    }

private:
    /// n, or the limit if that is smaller.
    std::size_t cap(std::size_t n) const {
        return limit_ < static_cast<std::uint64_t>(n) ? static_cast<std::size_t>(limit_) : n;
    }

    R inner_;
    std::uint64_t limit_;
};

/// A reader of at most `limit` bytes of `reader`: borrowed when it is an
/// lvalue, owned when an rvalue.
template <class R>
    requires AsyncRead<std::remove_cvref_t<R>>
Take<R> take(R&& reader, std::uint64_t limit) {
    return Take<R>(std::forward<R>(reader), limit);
}

}  // namespace pollen::io
