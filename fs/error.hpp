#pragma once
/// fs::Error and fs::Result<T>: what the path-based operations of pollen::fs
/// produce. Rust's io::Error for a failed `std::fs` call knows only the OS
/// code; here the error also remembers the operation and the path(s), so that
/// `message()` reads "open /tmp/x: No such file or directory".
///
/// The choice, and why: the free functions (`fs::read`, `fs::rename`...) and
/// the opening futures (`File::open`, `OpenOptions::open`, `read_dir`) give
/// `fs::Result<T>` = `Result<T, fs::Error>`, because that is where a caller
/// most needs to know *which* path failed. A File's own stream operations
/// (`poll_read`, `poll_write`, `seek`, `sync_all`...) keep `io::Result<T>`
/// (a bare std::error_code), because the core/io concepts and helpers
/// (read_exact, write_all, copy) are written against it. fs::Error converts
/// implicitly to std::error_code (`io::Error e = fs_error;`), compares with
/// `std::errc` values, and `fs::into_io(r)` turns an fs::Result into an
/// io::Result. Plain values: no waking, nothing to cancel.

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>
#include <system_error>
#include <utility>

#include "../core/io/error.hpp"
#include "../core/result.hpp"

namespace pollen::fs {

class Error {
public:
    Error() = default;
    /// `op` is a string literal naming the call ("open", "rename"); `path2`
    /// is the second path of two-path calls (the target of rename, copy, hard_link).
    Error(std::error_code code, const char* op, std::filesystem::path path, std::filesystem::path path2 = {})
        : code_(code), op_(op), path_(std::move(path)), path2_(std::move(path2)) {}

    const std::error_code& code() const noexcept { return code_; }
    const char* op() const noexcept { return op_; }
    const std::filesystem::path& path() const noexcept { return path_; }
    const std::filesystem::path& path2() const noexcept { return path2_; }

    /// "open /tmp/x: No such file or directory"; "rename /a -> /b: ..." for two paths.
    std::string message() const {
        std::string s = op_;
        if (!path_.empty()) s += " " + path_.string();
        if (!path2_.empty()) s += " -> " + path2_.string();
        return s + ": " + code_.message();
    }

    // NOLINTNEXTLINE(google-explicit-constructor): flows into io::Result on purpose.
    operator std::error_code() const noexcept { return code_; }
    explicit operator bool() const noexcept { return static_cast<bool>(code_); }

    friend bool operator==(const Error& e, std::errc c) noexcept { return e.code_ == c; }
    friend bool operator==(const Error& e, const std::error_code& c) noexcept { return e.code_ == c; }
    friend bool operator==(const Error& a, const Error& b) noexcept {
        return a.code_ == b.code_ && std::string_view(a.op_) == b.op_ && a.path_ == b.path_ && a.path2_ == b.path2_;
    }

private:
    std::error_code code_;
    const char* op_ = "";
    std::filesystem::path path_;
    std::filesystem::path path2_;
};

/// The result of a path-based operation: the error knows the path.
template <class T>
using Result = pollen::Result<T, Error>;

/// The same result with the path dropped, for code written against io::Result.
template <class T>
io::Result<T> into_io(Result<T>&& r) {
    if (r.is_err()) return Err(std::error_code(r.error()));
    if constexpr (std::is_void_v<T>) return Ok();
    else return Ok(std::move(r).value());
}

namespace detail {
/// The calling thread's errno as an error_code.
inline std::error_code last_os_error() noexcept { return {errno, std::system_category()}; }
}  // namespace detail

}  // namespace pollen::fs
