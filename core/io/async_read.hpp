#pragma once
/// AsyncRead: a source of bytes polled for reading, Rust's `tokio::io::AsyncRead`.
///
///     Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf);
///
/// Ready(Ok(n)) copied n bytes into the front of `buf`; n == 0 with a
/// non-empty `buf` means end of stream. Pending means no byte is available
/// yet and `cx.waker()` will be woken (from whichever thread produces the
/// bytes) when polling again can progress; nothing was read. An empty `buf`
/// may return Ready(Ok(0)) at once.
///
/// Readers are used by reference: the futures of read.hpp, read_exact.hpp...
/// hold `R&` (Rust's `read(&mut self)`), so the reader must outlive them and
/// only one read may be in flight per reader. Destroying a pending read
/// future leaves the reader as it was: no byte is lost by cancelling a
/// `read` (but see each future for what partial progress means).

#include <cstddef>
#include <span>

#include "../context.hpp"
#include "../poll.hpp"
#include "error.hpp"

namespace pollen::io {

template <class R>
concept AsyncRead = requires(R& r, Context& cx, std::span<std::byte> buf) {
    { r.poll_read(cx, buf) } -> std::same_as<Poll<Result<std::size_t>>>;
};

}  // namespace pollen::io
