#pragma once
/// AsyncBufRead: a reader with an internal buffer that can be looked into,
/// Rust's `tokio::io::AsyncBufRead`.
///
///     Poll<io::Result<std::span<const std::byte>>> poll_fill_buf(Context& cx);
///     void consume(std::size_t n);
///
/// `poll_fill_buf` is Ready with the buffered bytes, reading more from the
/// inner source only when the buffer is empty; an empty span means end of
/// stream. The span stays valid until the next call on the reader.
/// `consume(n)` marks the first n of those bytes as used (n must not exceed
/// the span's size). Pending means `cx.waker()` will be woken (from any
/// thread) when bytes arrive. Used by reference, like AsyncRead (see
/// read_until.hpp, read_line.hpp, lines.hpp).

#include <cstddef>
#include <span>

#include "../context.hpp"
#include "../poll.hpp"
#include "error.hpp"

namespace pollen::io {

template <class R>
concept AsyncBufRead = requires(R& r, Context& cx, std::size_t n) {
    { r.poll_fill_buf(cx) } -> std::same_as<Poll<Result<std::span<const std::byte>>>>;
    { r.consume(n) } -> std::same_as<void>;
};

}  // namespace pollen::io
