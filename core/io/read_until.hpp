#pragma once
/// io::read_until(r, delim, vec, max_len): reads one delimited record from a
/// buffered reader, Rust's `AsyncBufReadExt::read_until`.
///
/// Appends bytes to `vec` up to and including `delim`, or up to end of
/// stream; Ready with Ok(number of bytes appended) (0 only at end of stream),
/// or with the reader's error. With `max_len`, a record whose bytes before
/// the delimiter exceed `max_len` ends in Err(io::errc::max_line_length_exceeded)
/// after appending only its first `max_len` bytes: the reader is left in the
/// middle of that record, and memory stays bounded whatever the input.
/// Woken by whatever wakes the reader. Destroying it mid-way leaves the bytes
/// consumed so far appended to `vec`: calling again continues the record.

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "../future_ext.hpp"
#include "async_buf_read.hpp"

namespace pollen::io {

namespace detail {

template <class Buf>
void append_bytes(Buf& out, std::span<const std::byte> bytes) {
    auto* p = reinterpret_cast<const typename Buf::value_type*>(bytes.data());
    out.insert(out.end(), p, p + bytes.size());
}

/// The loop shared by read_until, read_line and lines. `read` counts the
/// bytes this operation appended so far (kept across polls by the caller).
/// With `crlf`, a '\r' right before a '\n' delimiter does not count toward
/// `max_len`, so "max_len characters + CRLF" is accepted as a line.
template <AsyncBufRead R, class Buf>
Poll<Result<std::size_t>> poll_read_until(Context& cx, R& reader, std::byte delim, Buf& out,
                                          std::size_t& read, std::size_t max_len, bool crlf) {
    for (;;) {
        auto p = reader.poll_fill_buf(cx);
        if (p.is_pending()) return pending;
        if (p.value().is_err()) return ready(Err(p.value().error()));
        const std::span<const std::byte> avail = *p.value();
        if (avail.empty()) return ready(Ok(read));  // end of stream

        const auto it = std::find(avail.begin(), avail.end(), delim);
        const bool found = it != avail.end();
        const std::size_t pos = static_cast<std::size_t>(it - avail.begin());
        const std::size_t take = found ? pos + 1 : avail.size();

        std::size_t content = read + (found ? pos : avail.size());
        if (crlf && content > 0) {
            std::byte last;
            if (!found) last = avail.back();  // may yet be followed by '\n'
            else if (pos > 0) last = avail[pos - 1];
            else last = static_cast<std::byte>(out.back());  // content > 0 with pos == 0: read > 0
            if (last == std::byte{'\r'}) --content;
        }
        if (content > max_len) {
            std::size_t room = std::min(max_len > read ? max_len - read : 0, take);
            // A '\r' right after the first max_len bytes is taken too: had the
            // bytes arrived split just after it, it would already have been
            // consumed as a possible "\r\n" ending, and where the reader is
            // left must not depend on how the bytes arrived.
            if (crlf && read + room == max_len && room < take && avail[room] == std::byte{'\r'}) ++room;
            append_bytes(out, avail.first(room));
            reader.consume(room);
            read += room;
            return ready(Err(error(errc::max_line_length_exceeded)));
        }

        append_bytes(out, avail.first(take));
        reader.consume(take);
        read += take;
        if (found) return ready(Ok(read));
    }
}

}  // namespace detail

template <AsyncBufRead R>
class ReadUntil : public FutureExt<ReadUntil<R>> {
public:
    using Output = Result<std::size_t>;

    ReadUntil(R& reader, std::byte delim, std::vector<std::byte>& buf, std::size_t max_len = unlimited)
        : reader_(reader), buf_(buf), delim_(delim), max_len_(max_len) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        return detail::poll_read_until(cx, reader_, delim_, buf_, read_, max_len_, false);
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(reader_, "read_until", "readable")); }

private:
    R& reader_;
    std::vector<std::byte>& buf_;
    std::byte delim_;
    std::size_t max_len_;
    std::size_t read_ = 0;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncBufRead R>
ReadUntil<R> read_until(R& reader, std::byte delim, std::vector<std::byte>& buf,
                        std::size_t max_len = unlimited) {
    return ReadUntil<R>(reader, delim, buf, max_len);
}

}  // namespace pollen::io
