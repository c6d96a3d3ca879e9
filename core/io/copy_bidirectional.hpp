#pragma once
/// io::copy_bidirectional(a, b): copies a → b and b → a at the same time,
/// Rust's `tokio::io::copy_bidirectional` (a proxy between two streams).
///
/// Each direction copies like io::copy; when its reader reaches end of
/// stream it flushes and then shuts down the other stream's write half, so
/// the far peer sees end of stream too. Ready with Ok({bytes a→b, bytes b→a})
/// once both directions finished, or with the first error of either (the
/// other direction is abandoned). Woken by whatever wakes either stream.
/// Destroying it mid-way stops both directions, dropping any buffered bytes.

#include <cstdint>
#include <utility>

#include "../future_ext.hpp"
#include "detail/copy_buffer.hpp"

namespace pollen::io {

template <class A, class B>
    requires AsyncRead<A> && AsyncWrite<A> && AsyncRead<B> && AsyncWrite<B>
class CopyBidirectional : public FutureExt<CopyBidirectional<A, B>> {
public:
    using Output = Result<std::pair<std::uint64_t, std::uint64_t>>;

    CopyBidirectional(A& a, B& b) : a_(a), b_(b) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        // Poll both before looking at either result, so each registers its wake-up.
        auto ab = a_to_b_.poll(cx, a_, b_);
        auto ba = b_to_a_.poll(cx, b_, a_);
        if (ab.is_ready() && ab.value().is_err()) return ready(Err(ab.value().error()));
        if (ba.is_ready() && ba.value().is_err()) return ready(Err(ba.value().error()));
        if (ab.is_pending() || ba.is_pending()) return pending;
        return ready(Ok(std::pair{*ab.value(), *ba.value()}));
    }

private:
    /// One direction: Running, then ShuttingDown the writer, then Done.
    class Transfer {
    public:
        template <class R, class W>
        Poll<Result<std::uint64_t>> poll(Context& cx, R& reader, W& writer) {
            if (state_ == State::Running) {
                auto p = buf_.poll_copy(cx, reader, writer);
                if (p.is_pending()) return pending;
                if (p.value().is_err()) return ready(Err(p.value().error()));
                state_ = State::ShuttingDown;
            }
            if (state_ == State::ShuttingDown) {
                auto s = writer.poll_shutdown(cx);
                if (s.is_pending()) return pending;
                if (s.value().is_err()) return ready(Err(s.value().error()));
                state_ = State::Done;
            }
            return ready(Ok(buf_.copied()));
        }

    private:
        enum class State { Running, ShuttingDown, Done };
        State state_ = State::Running;
        detail::CopyBuffer buf_;
    };

    A& a_;
    B& b_;
    Transfer a_to_b_;
    Transfer b_to_a_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <class A, class B>
    requires AsyncRead<A> && AsyncWrite<A> && AsyncRead<B> && AsyncWrite<B>
CopyBidirectional<A, B> copy_bidirectional(A& a, B& b) {
    return CopyBidirectional<A, B>(a, b);
}

}  // namespace pollen::io
