#pragma once
/// io::read(r, buf): one read, Rust's `AsyncReadExt::read`.
///
/// Ready with Ok(n) after one successful `poll_read` copied n bytes into the
/// front of `buf` (n == 0: end of stream, or `buf` is empty), or with the
/// reader's error. Woken by whatever wakes the reader. Destroying it mid-way
/// is harmless: a pending read has taken no bytes (cancel safe).

#include <cstddef>
#include <span>

#include "../future_ext.hpp"
#include "async_read.hpp"

namespace pollen::io {

template <AsyncRead R>
class Read : public FutureExt<Read<R>> {
public:
    using Output = Result<std::size_t>;

    Read(R& reader, std::span<std::byte> buf) : reader_(reader), buf_(buf) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        return reader_.poll_read(cx, buf_);
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(reader_, "read", "readable")); }

private:
    R& reader_;
    std::span<std::byte> buf_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncRead R>
Read<R> read(R& reader, std::span<std::byte> buf) {
    return Read<R>(reader, buf);
}

}  // namespace pollen::io
