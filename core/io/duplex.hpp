#pragma once
/// io::duplex(max_buf_size): two connected in-memory streams, Rust's
/// `tokio::io::duplex`. Bytes written to one end are read from the other,
/// in both directions; each direction buffers at most `max_buf_size` bytes
/// (allocated as it fills).
///
/// Each DuplexStream is AsyncRead and AsyncWrite (vectored too):
/// - `poll_read` is Ready with buffered bytes, Ready(Ok(0)) once the peer
///   shut down or was destroyed and the buffer is drained, else Pending.
/// - `poll_write` accepts as much as fits; Pending while the peer's buffer
///   is full (backpressure); Err(std::errc::broken_pipe) once the peer was
///   destroyed or this end shut down, even for an empty buffer (checked
///   first, as Tokio does); otherwise an empty buffer is Ready(Ok(0)) at
///   once. The vectored write behaves the same.
/// - `poll_flush` is always Ready (nothing is held back); `poll_shutdown`
///   closes this end's write direction: the peer reads end of stream.
/// Both draw on the cooperative budget. The ends may live on different
/// threads, and one end may be read by one task while another task writes
/// it; a read and a write of the same end wait in separate waker slots.
/// Wakers are woken by the thread that writes, reads, shuts down or
/// destroys the other end. Destroying an end is shutdown plus "no one will
/// read": its peer's reads drain then see EOF, its peer's writes fail.

#include <cassert>
#include <cstddef>
#include <memory>
#include <span>
#include <utility>

#include "async_read.hpp"
#include "async_write.hpp"
#include "detail/pipe.hpp"

namespace pollen::io {

class DuplexStream {
public:
    DuplexStream(DuplexStream&&) noexcept = default;
    DuplexStream& operator=(DuplexStream&& other) noexcept {
        if (this != &other) {
            close();
            read_ = std::move(other.read_);
            write_ = std::move(other.write_);
        }
        return *this;
    }
    DuplexStream(const DuplexStream&) = delete;
    DuplexStream& operator=(const DuplexStream&) = delete;
    ~DuplexStream() { close(); }

    Poll<Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        return read_->poll_read(cx, buf);
    }
    Poll<Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf) {
        return write_->poll_write(cx, IoSlices(&buf, 1));
    }
    Poll<Result<std::size_t>> poll_write_vectored(Context& cx, IoSlices bufs) {
        return write_->poll_write(cx, bufs);
    }
    Poll<Result<void>> poll_flush(Context&) { return ready(Ok()); }
    Poll<Result<void>> poll_shutdown(Context&) {
        write_->close_write();
        return ready(Ok());
    }

private:
    friend std::pair<DuplexStream, DuplexStream> duplex(std::size_t);
    DuplexStream(std::shared_ptr<detail::Pipe> read, std::shared_ptr<detail::Pipe> write)
        : read_(std::move(read)), write_(std::move(write)) {}

    void close() {
        if (read_) read_->close_read();
        if (write_) write_->close_write();
    }

    std::shared_ptr<detail::Pipe> read_;   // the peer writes into it
    std::shared_ptr<detail::Pipe> write_;  // the peer reads from it
};

/// A connected pair; `max_buf_size` (> 0) bounds each direction's buffer.
inline std::pair<DuplexStream, DuplexStream> duplex(std::size_t max_buf_size) {
    assert(max_buf_size > 0 && "pollen::io::duplex: max_buf_size must be positive");
    auto one = std::make_shared<detail::Pipe>(max_buf_size);
    auto two = std::make_shared<detail::Pipe>(max_buf_size);
    return {DuplexStream(one, two), DuplexStream(two, one)};
}

}  // namespace pollen::io
