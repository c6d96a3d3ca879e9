#pragma once
/// io::read_line(r, s, max_len): reads one line from a buffered reader into
/// a std::string, Rust's `AsyncBufReadExt::read_line`.
///
/// Appends up to and including the next '\n' (a "\r\n" ending is kept
/// whole), or up to end of stream; Ready with Ok(number of bytes appended),
/// 0 only at end of stream, or with the reader's error. With `max_len`, a
/// line longer than `max_len` bytes (its "\n" or "\r\n" not counted) ends in
/// Err(io::errc::max_line_length_exceeded) after appending its first
/// `max_len` bytes (and the '\r' after them, if that is the next byte, since
/// it might have begun a "\r\n"), leaving the reader in the middle of the
/// line, at the same place however the bytes arrived. Bytes are
/// not checked to be UTF-8. Woken by whatever wakes the reader. Destroying it
/// mid-way leaves the bytes consumed so far appended to `s`: calling again
/// continues the line.

#include <cstddef>
#include <string>

#include "read_until.hpp"

namespace pollen::io {

template <AsyncBufRead R>
class ReadLine : public FutureExt<ReadLine<R>> {
public:
    using Output = Result<std::size_t>;

    ReadLine(R& reader, std::string& buf, std::size_t max_len = unlimited)
        : reader_(reader), buf_(buf), max_len_(max_len) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        return detail::poll_read_until(cx, reader_, std::byte{'\n'}, buf_, read_, max_len_, true);
    }

private:
    R& reader_;
    std::string& buf_;
    std::size_t max_len_;
    std::size_t read_ = 0;
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

template <AsyncBufRead R>
ReadLine<R> read_line(R& reader, std::string& buf, std::size_t max_len = unlimited) {
    return ReadLine<R>(reader, buf, max_len);
}

}  // namespace pollen::io
