#pragma once
/// io::write(w, buf): one write, Rust's `AsyncWriteExt::write`.
///
/// Ready with Ok(n) once one `poll_write` accepted the first n bytes of
/// `buf` (maybe fewer than all; see write_all), or with the writer's error.
/// Also io::write_vectored(w, bufs): one gathering write (see
/// async_write.hpp for writers without one). Woken by whatever wakes the
/// writer. Destroying it mid-way is harmless: a pending write accepted nothing.

#include <cstddef>
#include <span>
#include <string_view>

#include "../future_ext.hpp"
#include "async_write.hpp"

namespace pollen::io {

template <AsyncWrite W>
class Write : public FutureExt<Write<W>> {
public:
    using Output = Result<std::size_t>;

    Write(W& writer, std::span<const std::byte> buf) : writer_(writer), buf_(buf) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        return writer_.poll_write(cx, buf_);
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(writer_, "write", "writable")); }

private:
    W& writer_;
    std::span<const std::byte> buf_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncWrite W>
class WriteVectored : public FutureExt<WriteVectored<W>> {
public:
    using Output = Result<std::size_t>;

    WriteVectored(W& writer, IoSlices bufs) : writer_(writer), bufs_(bufs) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        return io::poll_write_vectored(writer_, cx, bufs_);
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(writer_, "write", "writable")); }

private:
    W& writer_;
    IoSlices bufs_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncWrite W>
Write<W> write(W& writer, std::span<const std::byte> buf) {
    return Write<W>(writer, buf);
}
/// Text convenience: writes the characters' bytes (`s` must outlive the future).
template <AsyncWrite W>
Write<W> write(W& writer, std::string_view s) {
    return Write<W>(writer, std::as_bytes(std::span(s.data(), s.size())));
}

template <AsyncWrite W>
WriteVectored<W> write_vectored(W& writer, IoSlices bufs) {
    return WriteVectored<W>(writer, bufs);
}

}  // namespace pollen::io
