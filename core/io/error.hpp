#pragma once
/// io::Result<T> and io::Error: what every I/O operation of pollen produces,
/// Rust's `std::io::Result<T>` / `io::Error`.
///
/// An error is a `std::error_code`: OS-level conditions use `std::errc`
/// (`io::error(std::errc::broken_pipe)`), and the conditions that Rust's
/// `io::ErrorKind` names but POSIX does not (a stream ending inside
/// `read_exact`, a writer accepting 0 bytes, an over-long line, a line
/// that is not UTF-8) use
/// `io::errc` in pollen's own "pollen.io" category. End of file is not an
/// error: as in Rust, it is a read of 0 bytes into a non-empty buffer.
/// Plain values: no waking, nothing to cancel.

#include <cstddef>
#include <limits>
#include <string>
#include <system_error>
#include <type_traits>

#include "../result.hpp"

namespace pollen::io {

/// Rust's `io::Error`.
using Error = std::error_code;

/// Rust's `io::Result<T>`; `io::Result<void>` for `io::Result<()>`.
template <class T>
using Result = pollen::Result<T, std::error_code>;

/// The error kinds of Rust's `io::ErrorKind` that have no `std::errc` twin.
enum class errc {
    /// The stream ended before the requested bytes arrived (`read_exact`).
    unexpected_eof = 1,
    /// A writer accepted 0 bytes of a non-empty buffer (`write_all`, `copy`).
    write_zero,
    /// A line or delimited record exceeded the configured maximum length.
    max_line_length_exceeded,
    /// Rust's `ErrorKind::InvalidData`: the bytes are not what the operation
    /// reads. Today: `read_line` and `lines` over bytes that are not UTF-8
    /// (with Tokio's message); compares equal to std::errc::illegal_byte_sequence.
    invalid_data,
};

namespace detail {
class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pollen.io"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::unexpected_eof: return "unexpected end of file";
            case errc::write_zero: return "failed to write the whole buffer";
            case errc::max_line_length_exceeded: return "maximum line length exceeded";
            case errc::invalid_data: return "stream did not contain valid UTF-8";
        }
        return "unknown pollen.io error";
    }
    std::error_condition default_error_condition(int ev) const noexcept override {
        // Lets callers that only know std::errc classify our errors too.
        switch (static_cast<errc>(ev)) {
            case errc::unexpected_eof: return std::errc::io_error;
            case errc::write_zero: return std::errc::io_error;
            case errc::max_line_length_exceeded: return std::errc::value_too_large;
            case errc::invalid_data: return std::errc::illegal_byte_sequence;
        }
        return {ev, *this};
    }
};
}  // namespace detail

/// The "pollen.io" category (one object per program).
inline const std::error_category& io_category() noexcept {
    static const detail::Category category;
    return category;
}

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), io_category()}; }

/// An io::Error from a portable condition: `io::error(std::errc::broken_pipe)`.
inline Error error(std::errc e) noexcept { return std::make_error_code(e); }
/// An io::Error of pollen's own kinds: `io::error(io::errc::unexpected_eof)`.
inline Error error(errc e) noexcept { return make_error_code(e); }

/// "No limit" for the max_len parameters of read_until / read_line / lines.
inline constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();

}  // namespace pollen::io

template <>
struct std::is_error_code_enum<pollen::io::errc> : std::true_type {};
