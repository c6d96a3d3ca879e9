#pragma once
/// io::split(stream): a ReadHalf and a WriteHalf of one stream, usable from
/// two tasks at once (Rust's `tokio::io::split`).
///
/// Both halves share the stream behind a mutex that is held only for the
/// duration of one `poll_*` call, so a reading task and a writing task
/// (possibly on different threads) take turns inside the stream. The halves
/// pass their own Context through: the reader's waker goes to the stream's
/// read registration and the writer's to its write registration, so neither
/// half steals the other's wake-ups, provided the stream keeps separate
/// read and write waker slots, as DuplexStream and sockets do. Wakers are
/// woken by whoever makes the stream readable or writable.
///
/// The stream lives until both halves are destroyed; `unsplit` puts a pair
/// back together. Destroying a half mid-way only drops its share; dropping
/// the WriteHalf does not shut the stream down (call shutdown first).

#include <cassert>
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <utility>

#include "async_read.hpp"
#include "async_write.hpp"

namespace pollen::io {

namespace detail {
template <class T>
struct SplitShared {
    explicit SplitShared(T s) : stream(std::move(s)) {}
    std::mutex mu;
    T stream;
};
}  // namespace detail

template <class T>
    requires AsyncRead<T> && AsyncWrite<T>
class WriteHalf;

template <class T>
    requires AsyncRead<T> && AsyncWrite<T>
class ReadHalf {
public:
    ReadHalf(ReadHalf&&) noexcept = default;
    ReadHalf& operator=(ReadHalf&&) noexcept = default;
    ReadHalf(const ReadHalf&) = delete;  // one reader per stream
    ReadHalf& operator=(const ReadHalf&) = delete;

    Poll<Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        std::lock_guard lock(shared_->mu);
        return shared_->stream.poll_read(cx, buf);
    }

    /// True if `w` was split from the same stream.
    bool is_pair_of(const WriteHalf<T>& w) const { return shared_ == w.shared_; }

    /// The stream again, from both halves of one split (asserted).
    T unsplit(WriteHalf<T> w) && {
        assert(is_pair_of(w) && "pollen::io::unsplit: halves of different streams");
        std::shared_ptr<detail::SplitShared<T>> s = std::move(shared_);
        w.shared_.reset();
        return std::move(s->stream);
    }

private:
    template <class U>
        requires AsyncRead<U> && AsyncWrite<U>
    friend std::pair<ReadHalf<U>, WriteHalf<U>> split(U stream);
    explicit ReadHalf(std::shared_ptr<detail::SplitShared<T>> s) : shared_(std::move(s)) {}
    std::shared_ptr<detail::SplitShared<T>> shared_;
};

template <class T>
    requires AsyncRead<T> && AsyncWrite<T>
class WriteHalf {
public:
    WriteHalf(WriteHalf&&) noexcept = default;
    WriteHalf& operator=(WriteHalf&&) noexcept = default;
    WriteHalf(const WriteHalf&) = delete;  // one writer per stream
    WriteHalf& operator=(const WriteHalf&) = delete;

    Poll<Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf) {
        std::lock_guard lock(shared_->mu);
        return shared_->stream.poll_write(cx, buf);
    }
    Poll<Result<std::size_t>> poll_write_vectored(Context& cx, IoSlices bufs) {
        std::lock_guard lock(shared_->mu);
        return io::poll_write_vectored(shared_->stream, cx, bufs);
    }
    Poll<Result<void>> poll_flush(Context& cx) {
        std::lock_guard lock(shared_->mu);
        return shared_->stream.poll_flush(cx);
    }
    Poll<Result<void>> poll_shutdown(Context& cx) {
        std::lock_guard lock(shared_->mu);
        return shared_->stream.poll_shutdown(cx);
    }

    bool is_pair_of(const ReadHalf<T>& r) const { return r.is_pair_of(*this); }

private:
    friend class ReadHalf<T>;
    template <class U>
        requires AsyncRead<U> && AsyncWrite<U>
    friend std::pair<ReadHalf<U>, WriteHalf<U>> split(U stream);
    explicit WriteHalf(std::shared_ptr<detail::SplitShared<T>> s) : shared_(std::move(s)) {}
    std::shared_ptr<detail::SplitShared<T>> shared_;
};

/// Splits `stream` (moved in) into halves that share it.
template <class T>
    requires AsyncRead<T> && AsyncWrite<T>
std::pair<ReadHalf<T>, WriteHalf<T>> split(T stream) {
    auto s = std::make_shared<detail::SplitShared<T>>(std::move(stream));
    return {ReadHalf<T>(s), WriteHalf<T>(s)};
}

}  // namespace pollen::io
