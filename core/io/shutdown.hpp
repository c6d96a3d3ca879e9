#pragma once
/// io::shutdown(w): Rust's `AsyncWriteExt::shutdown`. Flushes, then closes
/// the write direction (the peer reads end of stream); Ready with Ok() once
/// `poll_shutdown` is, or with its error. Woken by whatever wakes the writer.
/// Destroying it mid-way stops waiting; shutting down may be retried.

#include "../future_ext.hpp"
#include "async_write.hpp"

namespace pollen::io {

template <AsyncWrite W>
class Shutdown : public FutureExt<Shutdown<W>> {
public:
    using Output = Result<void>;

    explicit Shutdown(W& writer) : writer_(writer) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        return writer_.poll_shutdown(cx);
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(writer_, "shutdown", "writable")); }

private:
    W& writer_;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncWrite W>
Shutdown<W> shutdown(W& writer) {
    return Shutdown<W>(writer);
}

}  // namespace pollen::io
