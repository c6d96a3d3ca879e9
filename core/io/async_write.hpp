#pragma once
/// AsyncWrite: a sink of bytes polled for writing, Rust's `tokio::io::AsyncWrite`.
///
///     Poll<io::Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf);
///     Poll<io::Result<void>>        poll_flush(Context& cx);
///     Poll<io::Result<void>>        poll_shutdown(Context& cx);
///
/// `poll_write` is Ready(Ok(n)) once it accepted the first n bytes of `buf`
/// (possibly fewer than all: callers loop, see write_all); Ok(0) for a
/// non-empty buffer means the sink can accept nothing more. `poll_flush`
/// is Ready once everything accepted so far has reached its destination.
/// `poll_shutdown` flushes and then closes the write direction: the peer
/// reads end of stream. Pending means `cx.waker()` will be woken (from any
/// thread) when polling again can progress.
///
/// A writer may also provide vectored writes:
///
///     Poll<io::Result<std::size_t>> poll_write_vectored(Context&, std::span<const std::span<const std::byte>> bufs);
///
/// detected by `AsyncWriteVectored`; `io::poll_write_vectored(w, cx, bufs)`
/// calls it when present and otherwise writes the first non-empty buffer,
/// as Tokio's default does. Writers are used by reference (futures hold `W&`).

#include <cstddef>
#include <span>

#include "../context.hpp"
#include "../poll.hpp"
#include "error.hpp"

namespace pollen::io {

/// A list of buffers for a vectored write (Rust's `&[IoSlice<'_>]`).
using IoSlices = std::span<const std::span<const std::byte>>;

template <class W>
concept AsyncWrite = requires(W& w, Context& cx, std::span<const std::byte> buf) {
    { w.poll_write(cx, buf) } -> std::same_as<Poll<Result<std::size_t>>>;
    { w.poll_flush(cx) } -> std::same_as<Poll<Result<void>>>;
    { w.poll_shutdown(cx) } -> std::same_as<Poll<Result<void>>>;
};

/// An AsyncWrite with its own gathering write.
template <class W>
concept AsyncWriteVectored = AsyncWrite<W> && requires(W& w, Context& cx, IoSlices bufs) {
    { w.poll_write_vectored(cx, bufs) } -> std::same_as<Poll<Result<std::size_t>>>;
};

/// Writes from `bufs` in order: the writer's own vectored write when it has
/// one, otherwise a plain write of the first non-empty buffer (Ok(0) when
/// all are empty).
template <AsyncWrite W>
Poll<Result<std::size_t>> poll_write_vectored(W& w, Context& cx, IoSlices bufs) {
    if constexpr (AsyncWriteVectored<W>) {
        return w.poll_write_vectored(cx, bufs);
    } else {
        for (std::span<const std::byte> b : bufs)
            if (!b.empty()) return w.poll_write(cx, b);
        return ready(Ok(std::size_t{0}));
    }
}

}  // namespace pollen::io
