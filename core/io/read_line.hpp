#pragma once
/// io::read_line(r, s, max_len): reads one line from a buffered reader into
/// a std::string, Rust's `AsyncBufReadExt::read_line`.
///
/// Appends up to and including the next '\n' (a "\r\n" ending is kept
/// whole), or up to end of stream; Ready with Ok(number of bytes appended),
/// 0 only at end of stream, or with an error:
/// - The bytes must be UTF-8, as in Tokio: when the line read is not,
///   Err(io::errc::invalid_data) ("stream did not contain valid UTF-8"),
///   nothing is appended (`s` keeps what it held) and the line's bytes are
///   consumed from the reader. For bytes that need not be text, use the
///   byte-oriented `read_until(r, std::byte{'\n'}, vec)`.
/// - The reader's error: the bytes appended so far stay in `s` when they
///   are UTF-8 (a last character cut short counts as UTF-8 so far: the line
///   goes on), otherwise none are kept (Tokio's rule).
/// - With `max_len`, a line longer than `max_len` bytes (its "\n" or "\r\n"
///   not counted) ends in Err(io::errc::max_line_length_exceeded) after
///   consuming its first `max_len` bytes (and the '\r' after them, if that
///   is the next byte, since it might have begun a "\r\n"), leaving the
///   reader in the middle of the line, at the same place however the bytes
///   arrived; those bytes are appended under the same rule as for a reader
///   error.
/// After an error, read_line called again continues the line; called with
/// the same string, it completes a character that the previous call left
/// cut short (checked together with the new bytes), while into another
/// string a line that begins in the middle of a character is not UTF-8.
/// Woken by whatever wakes the reader. Destroying it mid-way leaves the
/// bytes consumed so far appended to `s`, unchecked (Tokio leaves the string
/// unspecified): calling again continues the line.

#include <cstddef>
#include <span>
#include <string>

#include "../detail/utf8.hpp"
#include "read_until.hpp"

namespace pollen::io {

namespace detail {

inline std::span<const std::byte> string_bytes(const std::string& s, std::size_t from) {
    return std::as_bytes(std::span(s.data() + from, s.size() - from));
}

/// Where read_line's check of `s` starts: at its end, or at the start of a
/// character it ends with that is cut short (which this call may complete).
inline std::size_t utf8_check_start(const std::string& s) {
    return pollen::detail::utf8_cut_tail(string_bytes(s, 0));
}

/// Tokio's finish_string_read, for bytes appended to `s` from `start`
/// (checked from `check_from`): a finished line must be UTF-8, or it is
/// taken back and the result is invalid_data; after an error, the bytes stay
/// if they are UTF-8 so far and are taken back otherwise.
inline Poll<Result<std::size_t>> finish_line(Result<std::size_t> r, std::string& s, std::size_t start,
                                             std::size_t check_from) {
    const auto appended = string_bytes(s, check_from);
    if (r.is_ok()) {
        if (pollen::detail::is_utf8(appended)) return ready(std::move(r));
        s.resize(start);
        return ready(Err(error(errc::invalid_data)));
    }
    if (!pollen::detail::is_utf8_prefix(appended)) s.resize(start);
    return ready(std::move(r));
}

}  // namespace detail

template <AsyncBufRead R>
class ReadLine : public FutureExt<ReadLine<R>> {
public:
    using Output = Result<std::size_t>;

    ReadLine(R& reader, std::string& buf, std::size_t max_len = unlimited)
        : reader_(reader), buf_(buf), max_len_(max_len) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (!started_) {
            // Taken at the first poll: the string is the caller's until then.
            started_ = true;
            start_ = buf_.size();
            check_from_ = detail::utf8_check_start(buf_);
        }
        auto p = detail::poll_read_until(cx, reader_, std::byte{'\n'}, buf_, read_, max_len_, true);
        if (p.is_pending()) return pending;
        auto out = detail::finish_line(p.take(), buf_, start_, check_from_);
        // Polled again after an error, it goes on with the line from here.
        start_ = buf_.size();
        check_from_ = detail::utf8_check_start(buf_);
        read_ = 0;
        return out;
    }

    /// For task dumps (core/trace.hpp): the I/O object and the readiness it waits for.
    void describe(TraceVisitor& v) const { v.waits_on(trace::io_wait(reader_, "read_line", "readable")); }

private:
    R& reader_;
    std::string& buf_;
    std::size_t max_len_;
    std::size_t read_ = 0;
    bool started_ = false;
    std::size_t start_ = 0;       // buf_'s size when this line began
    std::size_t check_from_ = 0;  // where the UTF-8 check begins (start_, or a cut character before it)
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncBufRead R>
ReadLine<R> read_line(R& reader, std::string& buf, std::size_t max_len = unlimited) {
    return ReadLine<R>(reader, buf, max_len);
}

}  // namespace pollen::io
