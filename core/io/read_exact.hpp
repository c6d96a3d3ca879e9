#pragma once
/// io::read_exact(r, buf): reads until `buf` is full, Rust's
/// `AsyncReadExt::read_exact`.
///
/// Ready with Ok(buf.size()) once every byte of `buf` was filled, with
/// Err(io::errc::unexpected_eof) if the stream ends first, or with the
/// reader's first error. Woken by whatever wakes the reader. Destroying it
/// mid-way (or an error) leaves the bytes read so far in `buf` with no way
/// to know how many: not cancel safe, as in Tokio.

#include <cstddef>
#include <span>

#include "../future_ext.hpp"
#include "async_read.hpp"

namespace pollen::io {

template <AsyncRead R>
class ReadExact : public FutureExt<ReadExact<R>> {
public:
    using Output = Result<std::size_t>;

    ReadExact(R& reader, std::span<std::byte> buf) : reader_(reader), buf_(buf) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        while (filled_ < buf_.size()) {
            auto p = reader_.poll_read(cx, buf_.subspan(filled_));
            if (p.is_pending()) return pending;
            Result<std::size_t> r = p.take();
            if (r.is_err()) return ready(Err(r.error()));
            if (*r == 0) return ready(Err(error(errc::unexpected_eof)));
            filled_ += *r;
        }
        return ready(Ok(buf_.size()));
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(reader_, "read_exact", "readable")); }

private:
    R& reader_;
    std::span<std::byte> buf_;
    std::size_t filled_ = 0;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncRead R>
ReadExact<R> read_exact(R& reader, std::span<std::byte> buf) {
    return ReadExact<R>(reader, buf);
}

}  // namespace pollen::io
