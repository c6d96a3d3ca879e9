#pragma once
/// io::flush(w): Rust's `AsyncWriteExt::flush`. Ready with Ok() once
/// `poll_flush` reports every accepted byte delivered, or with its error.
/// Woken by whatever wakes the writer. Destroying it mid-way just stops
/// waiting; the writer keeps its buffered bytes and may be flushed again.

#include "../future_ext.hpp"
#include "async_write.hpp"

namespace pollen::io {

template <AsyncWrite W>
class Flush : public FutureExt<Flush<W>> {
public:
    using Output = Result<void>;

    explicit Flush(W& writer) : writer_(writer) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        return writer_.poll_flush(cx);
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(writer_, "flush", "writable")); }

private:
    W& writer_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncWrite W>
Flush<W> flush(W& writer) {
    return Flush<W>(writer);
}

}  // namespace pollen::io
