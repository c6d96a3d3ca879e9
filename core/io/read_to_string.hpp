#pragma once
/// io::read_to_string(r, s): reads until end of stream, appending to a
/// `std::string`, Rust's `AsyncReadExt::read_to_string`.
///
/// Ready with Ok(number of bytes appended) at end of stream, or with the
/// reader's first error (bytes read before it stay appended). Unlike Rust,
/// the bytes are not checked to be UTF-8: a std::string is a byte string.
/// Woken by whatever wakes the reader. Destroying it mid-way leaves exactly
/// the bytes read so far appended (see read_to_end.hpp).

#include <string>

#include "read_to_end.hpp"

namespace pollen::io {

template <AsyncRead R>
using ReadToString = ReadToEnd<R, std::string>;

template <AsyncRead R>
ReadToString<R> read_to_string(R& reader, std::string& buf) {
    return ReadToString<R>(reader, buf);
}

}  // namespace pollen::io
