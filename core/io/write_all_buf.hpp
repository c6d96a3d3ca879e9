#pragma once
/// io::write_all_buf(w, buf): writes every byte left in a buffer and
/// advances the buffer past what was written, Rust's
/// `AsyncWriteExt::write_all_buf`.
///
/// `buf` is any `io::Buf`: a type with `span()`, the bytes left to write
/// (contiguous), and `advance(n)`, which drops the first n of them;
/// `codec::BytesMut` is one. Calls `poll_write` with the bytes left until
/// none are left, advancing `buf` after each write; Ready with Ok() then,
/// with Err(io::errc::write_zero) if the writer accepts 0 bytes, or with the
/// writer's first error (`buf` then starts at the first byte not written).
/// It does not flush. Woken by whatever wakes the writer. Destroying it
/// mid-way may leave a prefix written, but, as Tokio guarantees, `buf` has
/// been advanced by exactly the bytes written: calling again writes the
/// rest. The buffer is borrowed: it must outlive the future and not be
/// touched by anyone else while the future lives.

#include <concepts>
#include <cstddef>
#include <span>

#include "../future_ext.hpp"
#include "async_write.hpp"

namespace pollen::io {

/// A buffer that write_all_buf can write from (Rust's `bytes::Buf`, the
/// contiguous case): the bytes left, and a way to drop written ones.
template <class B>
concept Buf = requires(B& b, std::size_t n) {
    { b.span() } -> std::convertible_to<std::span<const std::byte>>;
    b.advance(n);
};

template <AsyncWrite W, Buf B>
class WriteAllBuf : public FutureExt<WriteAllBuf<W, B>> {
public:
    using Output = Result<void>;

    WriteAllBuf(W& writer, B& buf) : writer_(writer), buf_(buf) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        for (;;) {
            const std::span<const std::byte> left = buf_.span();
            if (left.empty()) return ready(Ok());
            auto p = writer_.poll_write(cx, left);
            if (p.is_pending()) return pending;
            Result<std::size_t> r = p.take();
            if (r.is_err()) return ready(Err(r.error()));
            if (*r == 0) return ready(Err(error(errc::write_zero)));
            buf_.advance(*r);
        }
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(writer_, "write_all_buf", "writable")); }

private:
    W& writer_;
    B& buf_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncWrite W, Buf B>
WriteAllBuf<W, B> write_all_buf(W& writer, B& buf) {
    return WriteAllBuf<W, B>(writer, buf);
}

}  // namespace pollen::io
