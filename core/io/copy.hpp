#pragma once
/// io::copy(r, w): copies every byte of a reader into a writer, Rust's
/// `tokio::io::copy`.
///
/// Reads into an 8 KiB internal buffer and writes it out until the reader
/// returns end of stream, then flushes the writer; Ready with Ok(total bytes
/// copied), or with the first error of either side (Err(io::errc::write_zero)
/// if the writer accepts 0 bytes). It also flushes whenever the reader has
/// nothing and every byte read was written, so a buffering writer never sits
/// on bytes the other side is waiting for. It draws on the cooperative
/// budget once per round. Woken by whatever wakes the reader or the writer.
/// Destroying it mid-way drops up to 8 KiB read but not yet written.

#include <cstdint>

#include "../future_ext.hpp"
#include "detail/copy_buffer.hpp"

namespace pollen::io {

template <AsyncRead R, AsyncWrite W>
class Copy : public FutureExt<Copy<R, W>> {
public:
    using Output = Result<std::uint64_t>;

    Copy(R& reader, W& writer) : reader_(reader), writer_(writer) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        return buf_.poll_copy(cx, reader_, writer_);
    }

    /// For task dumps (core/trace.hpp): both ends; it waits on whichever the buffer needs.
    void describe(TraceVisitor& v) const {
        v.waits_on(trace::io_wait(reader_, "copy: read", "readable"));
        v.waits_on(trace::io_wait(writer_, "write", "writable"));
    }

private:
    R& reader_;
    W& writer_;
    detail::CopyBuffer buf_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncRead R, AsyncWrite W>
Copy<R, W> copy(R& reader, W& writer) {
    return Copy<R, W>(reader, writer);
}

}  // namespace pollen::io
