#pragma once
/// io::read_to_end(r, vec): reads until end of stream, appending to a
/// `std::vector<std::byte>`, Rust's `AsyncReadExt::read_to_end`.
///
/// Ready with Ok(number of bytes appended) once a read returns 0, or with the
/// reader's first error (the bytes read before it stay appended). The
/// vector grows geometrically; each read asks for a chunk that starts at
/// 8 KiB and doubles while reads fill it, up to 1 MiB. Woken by whatever
/// wakes the reader. Destroying it mid-way leaves exactly the bytes read so
/// far appended to the vector (its size never includes unread scratch space).

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "../future_ext.hpp"
#include "async_read.hpp"

namespace pollen::io {

/// `Buf` is any contiguous container of 1-byte elements with resize/reserve:
/// std::vector<std::byte>, or std::string for read_to_string.
template <AsyncRead R, class Buf = std::vector<std::byte>>
class ReadToEnd : public FutureExt<ReadToEnd<R, Buf>> {
    static_assert(sizeof(typename Buf::value_type) == 1);

public:
    using Output = Result<std::size_t>;

    ReadToEnd(R& reader, Buf& buf) : reader_(reader), buf_(buf) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        for (;;) {
            const std::size_t old = buf_.size();
            if (buf_.capacity() - old < chunk_) buf_.reserve(std::max(old * 2, old + chunk_));
            // Scratch space must be part of the size to be written through
            // data(); it is trimmed before anything else can see it.
            buf_.resize(old + chunk_);
            auto p = reader_.poll_read(cx, std::span<std::byte>(
                                                 reinterpret_cast<std::byte*>(buf_.data()) + old, chunk_));
            const std::size_t n = p.is_ready() && p.value().is_ok() ? *p.value() : 0;
            buf_.resize(old + n);
            if (p.is_pending()) return pending;
            if (p.value().is_err()) return ready(Err(p.value().error()));
            if (n == 0) return ready(Ok(total_));
            total_ += n;
            if (n == chunk_ && chunk_ < kMaxChunk) chunk_ *= 2;
        }
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(reader_, "read_to_end", "readable")); }

private:
    static constexpr std::size_t kMaxChunk = std::size_t{1} << 20;
    R& reader_;
    Buf& buf_;
    std::size_t total_ = 0;
    std::size_t chunk_ = 8 * 1024;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncRead R>
ReadToEnd<R> read_to_end(R& reader, std::vector<std::byte>& buf) {
    return ReadToEnd<R>(reader, buf);
}

}  // namespace pollen::io
