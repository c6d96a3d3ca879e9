#pragma once
/// io::write_all(w, buf): writes every byte of `buf`, Rust's
/// `AsyncWriteExt::write_all`.
///
/// Calls `poll_write` with the remaining bytes until none remain; Ready with
/// Ok() then, with Err(io::errc::write_zero) if the writer accepts 0 bytes,
/// or with the writer's first error. It does not flush. Woken by whatever
/// wakes the writer. Destroying it mid-way leaves an unknown prefix of `buf`
/// written: not cancel safe, as in Tokio.

#include <cstddef>
#include <span>
#include <string_view>

#include "../future_ext.hpp"
#include "async_write.hpp"

namespace pollen::io {

template <AsyncWrite W>
class WriteAll : public FutureExt<WriteAll<W>> {
public:
    using Output = Result<void>;

    WriteAll(W& writer, std::span<const std::byte> buf) : writer_(writer), buf_(buf) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        while (!buf_.empty()) {
            auto p = writer_.poll_write(cx, buf_);
            if (p.is_pending()) return pending;
            Result<std::size_t> r = p.take();
            if (r.is_err()) return ready(Err(r.error()));
            if (*r == 0) return ready(Err(error(errc::write_zero)));
            buf_ = buf_.subspan(*r);
        }
        return ready(Ok());
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(writer_, "write_all", "writable")); }

private:
    W& writer_;
    std::span<const std::byte> buf_;  // what is left to write
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncWrite W>
WriteAll<W> write_all(W& writer, std::span<const std::byte> buf) {
    return WriteAll<W>(writer, buf);
}
/// Text convenience: writes the characters' bytes (`s` must outlive the future).
template <AsyncWrite W>
WriteAll<W> write_all(W& writer, std::string_view s) {
    return WriteAll<W>(writer, std::as_bytes(std::span(s.data(), s.size())));
}

}  // namespace pollen::io
