#pragma once
/// codec::FramedWrite<W, E>: a writer as a Sink of frames, tokio-util's
/// `codec::FramedWrite`.
///
/// A Sink (with SinkExt's `send`, `feed`, `flush`, `close`) of every item
/// type the encoder takes. `start_send` encodes the item into the write
/// buffer; `poll_flush` writes the buffer out, then flushes the writer;
/// `poll_close` flushes, then shuts the writer down. Backpressure:
/// `poll_ready` is Ready at once while the buffer holds less than the
/// backpressure boundary (8 KiB by default, as Tokio's), and otherwise only
/// once the buffer has been written out, so a peer that does not read
/// leaves the sender Pending with at most the boundary plus one frame
/// buffered. A write of 0 bytes is Err(io::errc::write_zero); I/O errors
/// reach the caller as E::Error(ec).
///
/// `W` is the writer (owned) or a reference to it (borrowed), as for
/// FramedRead. Woken by whatever wakes the writer. It may be moved if `W`
/// may. Destroying it with unwritten frames drops them (a destructor cannot
/// wait): flush or close first.

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../io/async_write.hpp"
#include "bytes_mut.hpp"
#include "detail/framed_impl.hpp"
#include "encoder.hpp"
#include "sink_ext.hpp"

namespace pollen::codec {

template <class W, class E>
    requires io::AsyncWrite<std::remove_reference_t<W>> && requires { typename E::Error; }
class FramedWrite : public SinkExt<FramedWrite<W, E>> {
    using Inner = std::remove_reference_t<W>;

public:
    using Error = typename E::Error;

    FramedWrite(W inner, E encoder) : inner_(std::forward<W>(inner)), encoder_(std::move(encoder)) {}

    // ---- Sink
    Poll<Result<void, Error>> poll_ready(Context& cx) {
        return detail::poll_ready_frames<Error>(cx, inner_, state_);
    }
    template <class Frame>
        requires Encoder<E, Frame>
    Result<void, Error> start_send(Frame&& item) {
        return encoder_.encode(std::forward<Frame>(item), state_.buffer);
    }
    Poll<Result<void, Error>> poll_flush(Context& cx) {
        return detail::poll_flush_frames<Error>(cx, inner_, state_);
    }
    Poll<Result<void, Error>> poll_close(Context& cx) {
        return detail::poll_close_frames<Error>(cx, inner_, state_);
    }

    /// Buffered bytes at which poll_ready starts writing out (and waiting).
    std::size_t backpressure_boundary() const { return state_.backpressure_boundary; }
    void set_backpressure_boundary(std::size_t n) { state_.backpressure_boundary = n; }

    Inner& get_mut() { return inner_; }
    const Inner& get_ref() const { return inner_; }
    /// The writer; frames not yet written are lost (see write_buffer).
    W into_inner() && { return std::forward<W>(inner_); }
    E& encoder_mut() { return encoder_; }
    const E& encoder() const { return encoder_; }
    /// The encoded bytes not yet written.
    const BytesMut& write_buffer() const { return state_.buffer; }
    BytesMut& write_buffer_mut() { return state_.buffer; }

private:
    W inner_;
    E encoder_;
    detail::WriteFrame state_;
};

template <class W, class E>
    requires io::AsyncWrite<std::remove_reference_t<W>> && requires { typename E::Error; }
FramedWrite(W&&, E) -> FramedWrite<W, E>;

}  // namespace pollen::codec
