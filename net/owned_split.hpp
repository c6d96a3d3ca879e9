#pragma once
/// OwnedReadHalf<Stream> / OwnedWriteHalf<Stream>: the two halves that
/// `TcpStream::into_split()` and `UnixStream::into_split()` return (Tokio's
/// `tcp::OwnedReadHalf` / `tcp::OwnedWriteHalf`), to read in one task while
/// another writes.
///
/// Both share the stream (the last half destroyed closes it). No lock is
/// needed: reads and writes of a socket are independent syscalls, and the
/// reactor keeps one waker per direction, so the reading task is woken by
/// read readiness and the writing task by write readiness, from the reactor's
/// thread. Destroying the write half shuts the write direction down (the
/// peer reads end of stream), as in Tokio, unless `forget()` was called.
/// `reunite` puts the two halves of one stream back together.

#include <memory>
#include <span>
#include <utility>

#include "../core/io/async_read.hpp"
#include "../core/io/async_write.hpp"
#include "../core/result.hpp"
#include "../core/waker.hpp"
#include "../reactor/interest.hpp"

namespace pollen::net {

template <class Stream>
class OwnedWriteHalf;

/// Returned by a failed `reunite`: the halves, given back.
template <class Stream>
struct ReuniteError;

template <class Stream>
class OwnedReadHalf {
public:
    explicit OwnedReadHalf(std::shared_ptr<Stream> s) : stream_(std::move(s)) {}

    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        return stream_->poll_read(cx, buf);
    }
    /// TcpStream only: its poll_peek / peek (the bytes stay queued).
    Poll<io::Result<std::size_t>> poll_peek(Context& cx, std::span<std::byte> buf) {
        return stream_->poll_peek(cx, buf);
    }
    auto peek(std::span<std::byte> buf) { return stream_->peek(buf); }
    Poll<io::Result<void>> poll_read_ready(Context& cx) { return stream_->poll_read_ready(cx); }
    auto readable() { return stream_->readable(); }
    /// The stream's `ready(interest)`; a WRITABLE interest here takes the
    /// write direction's waker slot from the write half's task.
    auto ready(io::Interest interest) { return stream_->ready(interest); }
    io::Result<std::size_t> try_read(std::span<std::byte> buf) { return stream_->try_read(buf); }
    auto peer_addr() const { return stream_->peer_addr(); }
    auto local_addr() const { return stream_->local_addr(); }
    const Stream& as_ref() const { return *stream_; }

    bool is_pair_of(const OwnedWriteHalf<Stream>& w) const { return stream_ == w.stream_; }

    /// The stream again, if `w` is this stream's other half; otherwise both halves back.
    Result<Stream, ReuniteError<Stream>> reunite(OwnedWriteHalf<Stream> w) &&;

private:
    friend class OwnedWriteHalf<Stream>;
    std::shared_ptr<Stream> stream_;
};

template <class Stream>
class OwnedWriteHalf {
public:
    explicit OwnedWriteHalf(std::shared_ptr<Stream> s) : stream_(std::move(s)) {}
    OwnedWriteHalf(OwnedWriteHalf&&) noexcept = default;
    OwnedWriteHalf& operator=(OwnedWriteHalf&& other) noexcept {
        if (this != &other) {
            shutdown_now();
            stream_ = std::move(other.stream_);
            shutdown_on_drop_ = other.shutdown_on_drop_;
        }
        return *this;
    }
    ~OwnedWriteHalf() { shutdown_now(); }

    Poll<io::Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf) {
        return stream_->poll_write(cx, buf);
    }
    Poll<io::Result<std::size_t>> poll_write_vectored(Context& cx, io::IoSlices bufs) {
        return stream_->poll_write_vectored(cx, bufs);
    }
    Poll<io::Result<void>> poll_flush(Context& cx) { return stream_->poll_flush(cx); }
    Poll<io::Result<void>> poll_shutdown(Context& cx) { return stream_->poll_shutdown(cx); }
    Poll<io::Result<void>> poll_write_ready(Context& cx) { return stream_->poll_write_ready(cx); }
    auto writable() { return stream_->writable(); }
    /// The stream's `ready(interest)`; a READABLE interest here takes the
    /// read direction's waker slot from the read half's task.
    auto ready(io::Interest interest) { return stream_->ready(interest); }
    io::Result<std::size_t> try_write(std::span<const std::byte> buf) { return stream_->try_write(buf); }
    auto peer_addr() const { return stream_->peer_addr(); }
    auto local_addr() const { return stream_->local_addr(); }
    const Stream& as_ref() const { return *stream_; }

    /// Destroying this half will no longer shut the write direction down.
    void forget() { shutdown_on_drop_ = false; }

    bool is_pair_of(const OwnedReadHalf<Stream>& r) const { return r.is_pair_of(*this); }

private:
    friend class OwnedReadHalf<Stream>;
    void shutdown_now() {
        if (stream_ && shutdown_on_drop_) {
            // The streams' poll_shutdown is one synchronous shutdown(2): it never pends.
            Context cx(noop_waker_ref());
            (void)stream_->poll_shutdown(cx);
        }
        shutdown_on_drop_ = false;
    }
    std::shared_ptr<Stream> stream_;
    bool shutdown_on_drop_ = true;
};

template <class Stream>
struct ReuniteError {
    OwnedReadHalf<Stream> read;
    OwnedWriteHalf<Stream> write;
};

template <class Stream>
Result<Stream, ReuniteError<Stream>> OwnedReadHalf<Stream>::reunite(OwnedWriteHalf<Stream> w) && {
    if (!is_pair_of(w)) return Err(ReuniteError<Stream>{std::move(*this), std::move(w)});
    w.forget();
    std::shared_ptr<Stream> s = std::move(stream_);
    w.stream_.reset();
    return Ok(std::move(*s));
}

}  // namespace pollen::net
