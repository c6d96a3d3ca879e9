#pragma once
/// io::lines(r, max_len): the lines of a buffered reader as a Stream, Rust's
/// `AsyncBufReadExt::lines` (`tokio::io::Lines`).
///
/// A Stream of io::Result<std::string> (with StreamExt's methods): each
/// item is one line without its "\n" or "\r\n"; a last line without a
/// newline is yielded too; then Ready(nullopt) at end of stream. A read
/// error is yielded as an Err item (polling again resumes the line). A line
/// that is not UTF-8 is yielded as one Err(io::errc::invalid_data) and the
/// stream goes on with the next line (Tokio's lines share read_line's rules;
/// read_until is the byte-oriented alternative). A line longer than `max_len` bytes is
/// yielded as one Err(io::errc::max_line_length_exceeded) and the rest of it
/// is skipped without being stored, so the stream goes on with the next line
/// and memory stays bounded (the behaviour of Tokio's LinesCodec).
///
/// `io::lines(reader)` borrows an lvalue reader (which must outlive the
/// stream) and takes ownership of an rvalue one. Woken by whatever wakes the
/// reader. Destroying it mid-way loses the partial line it has consumed.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "../stream/stream_ext.hpp"
#include "../detail/utf8.hpp"
#include "read_until.hpp"

namespace pollen::io {

/// `R` is an AsyncBufRead type, or a reference to one.
template <class R>
    requires AsyncBufRead<std::remove_reference_t<R>>
class Lines : public StreamExt<Lines<R>> {
public:
    using Item = Result<std::string>;

    explicit Lines(R reader, std::size_t max_len = unlimited)
        : reader_(std::forward<R>(reader)), max_len_(max_len) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        if (skipping_) {
            auto s = skip_rest_of_line(cx);
            if (s.is_pending()) return pending;
            if (s.value().is_err()) return ready(std::optional<Item>(Err(s.value().error())));
        }
        auto p = detail::poll_read_until(cx, reader_, std::byte{'\n'}, line_, read_, max_len_, true);
        if (p.is_pending()) return pending;
        if (p.value().is_err()) {
            // Other errors keep the partial line: polling again continues it.
            if (p.value().error() == errc::max_line_length_exceeded) {
                skipping_ = true;
                line_.clear();
                read_ = 0;
            }
            return ready(std::optional<Item>(Err(p.value().error())));
        }
        read_ = 0;
        std::string line = std::exchange(line_, std::string());
        if (*p.value() == 0) return ready(std::optional<Item>());
        if (!pollen::detail::is_utf8(std::as_bytes(std::span(line.data(), line.size()))))
            return ready(std::optional<Item>(Err(error(errc::invalid_data))));
        if (!line.empty() && line.back() == '\n') {
            line.pop_back();
            if (!line.empty() && line.back() == '\r') line.pop_back();
        }
        return ready(std::optional<Item>(Ok(std::move(line))));
    }

    std::remove_reference_t<R>& get_mut() { return reader_; }

private:
    /// Consumes up to and including the next '\n' without storing anything.
    Poll<Result<void>> skip_rest_of_line(Context& cx) {
        for (;;) {
            auto p = reader_.poll_fill_buf(cx);
            if (p.is_pending()) return pending;
            if (p.value().is_err()) return ready(Err(p.value().error()));
            const auto avail = *p.value();
            if (avail.empty()) break;
            const auto it = std::find(avail.begin(), avail.end(), std::byte{'\n'});
            if (it != avail.end()) {
                reader_.consume(static_cast<std::size_t>(it - avail.begin()) + 1);
                break;
            }
            reader_.consume(avail.size());
        }
        skipping_ = false;
        return ready(Ok());
    }

    R reader_;
    std::size_t max_len_;
    std::string line_;
    std::size_t read_ = 0;
    bool skipping_ = false;
};

/// Lines of `reader`: borrowed when it is an lvalue, owned when an rvalue.
template <class R>
    requires AsyncBufRead<std::remove_cvref_t<R>>
Lines<R> lines(R&& reader, std::size_t max_len = unlimited) {
    return Lines<R>(std::forward<R>(reader), max_len);
}

}  // namespace pollen::io
