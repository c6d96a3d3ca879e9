#pragma once
// Fuzz target logic: BufReader's line framing (`lines`, `read_line`,
// `read_until`) with a maximum line length, over an in-memory reader that
// hands out the input in fuzz-chosen chunk sizes, returns Pending now and
// then, and may fail one read. Shared by the libFuzzer main
// (buf_reader_lines_fuzz.cpp) and test/fuzz_regression_test.cpp.
//
// Input: 6 header bytes, then the stream.
//   [0] mode: 0 lines, 1 read_line, 2 read_until      [1] max line length (255: unlimited)
//   [2] BufReader capacity - 1 (mod 32)               [3] read_until's delimiter
//   [4] chunking seed                                 [5] read number that fails (0: none)
//
// What must hold, whatever the input:
//   - every call ends (bounded polls), nothing crashes, memory stays bounded:
//     no line handed out is longer than the limit allows;
//   - read_line / read_until: the bytes appended across calls are exactly
//     the stream, in order (nothing lost or duplicated, errors included;
//     for read_line only over ASCII, since it refuses what is not UTF-8);
//   - read_line appends only UTF-8 (a character cut short after an error),
//     and nothing when it refuses a line as invalid_data; `lines` yields
//     invalid_data for a line that is not UTF-8 (the reference says which);
//   - with no failed read, the outcome does not depend on the chunking or
//     the buffer capacity, and `lines` matches a reference splitter.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <pollen/core/context.hpp>
#include <pollen/core/detail/utf8.hpp>
#include <pollen/core/io/buf_reader.hpp>
#include <pollen/core/io/error.hpp>
#include <pollen/core/waker.hpp>

namespace pollen::fuzz {

namespace buf_reader_detail {

/// Hands out `data` in chunks drawn from a xorshift sequence; now and then
/// Pending (having woken the task first, as a reader whose bytes are already
/// on their way would); read number `fail_at` (1-based) fails once.
class ChunkedReader {
public:
    ChunkedReader(std::span<const std::byte> data, std::uint64_t seed, std::size_t max_chunk, unsigned fail_at)
        : data_(data), rng_(seed * 0x9E3779B97F4A7C15ull + 1), max_chunk_(max_chunk), fail_at_(fail_at) {}

    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        if (next() % 5 == 0) {
            cx.waker().wake_by_ref();
            return pending;
        }
        if (++reads_ == fail_at_) return ready(io::Result<std::size_t>(Err(io::error(std::errc::io_error))));
        std::size_t n = std::min({buf.size(), data_.size() - pos_, 1 + next() % max_chunk_});
        if (n) std::memcpy(buf.data(), data_.data() + pos_, n);
        pos_ += n;
        return ready(io::Result<std::size_t>(Ok(n)));
    }

private:
    std::uint64_t next() {
        rng_ ^= rng_ << 13, rng_ ^= rng_ >> 7, rng_ ^= rng_ << 17;
        return rng_;
    }
    std::span<const std::byte> data_;
    std::size_t pos_ = 0;
    std::uint64_t rng_;
    std::size_t max_chunk_;
    unsigned fail_at_;
    unsigned reads_ = 0;
};

struct Outcome {
    bool ok;
    int error;  // the error's value when !ok
    std::string bytes;
    bool operator==(const Outcome&) const = default;
};

struct Config {
    int mode;
    std::size_t max_len;
    std::size_t capacity;
    std::byte delim;
    std::uint64_t seed;
    unsigned fail_at;
};

/// Polls `f` until Ready; nullopt if it takes unreasonably many polls (a hang).
template <class F>
auto drive(F& f, std::size_t max_polls) -> std::optional<decltype(f.poll(std::declval<Context&>()).take())> {
    Context cx(noop_waker_ref());
    for (std::size_t i = 0; i < max_polls; ++i) {
        auto p = f.poll(cx);
        if (p.is_ready()) return p.take();
    }
    return std::nullopt;
}

/// Runs one configuration; fills `out` and returns an error message, or "".
inline std::string run(const Config& c, std::span<const std::byte> data, std::size_t max_chunk,
                       std::vector<Outcome>& out) {
    ChunkedReader inner(data, c.seed, max_chunk, c.fail_at);
    io::BufReader<ChunkedReader&> reader(inner, c.capacity);
    reader.set_max_line_length(c.max_len);
    const std::size_t max_polls = 16 * data.size() + 64;
    const std::size_t line_cap = c.max_len == io::unlimited ? data.size() : c.max_len;
    const int max_line_err = io::make_error_code(io::errc::max_line_length_exceeded).value();
    const int invalid_err = io::make_error_code(io::errc::invalid_data).value();
    const bool ascii = std::all_of(data.begin(), data.end(), [](std::byte b) { return b < std::byte{0x80}; });
    auto as_bytes = [](const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); };
    const bool exact = c.mode == 2 || ascii;  // read_line drops what is not UTF-8

    if (c.mode == 0) {
        auto lines = reader.lines();
        for (std::size_t i = 0; i < data.size() + 2; ++i) {
            Context cx(noop_waker_ref());
            std::optional<std::optional<io::Result<std::string>>> item;
            for (std::size_t polls = 0; polls < max_polls && !item; ++polls) {
                auto p = lines.poll_next(cx);
                if (p.is_ready()) item = p.take();
            }
            if (!item) return "lines: a poll_next never became ready";
            if (!*item) return "";
            auto& r = **item;
            if (r.is_ok()) {
                // A kept '\r' (last line, no '\n') does not count toward the limit.
                std::size_t limit = line_cap + (!r->empty() && r->back() == '\r' ? 1 : 0);
                if (r->size() > limit) return "lines: a line longer than the limit was yielded";
                out.push_back({true, 0, std::move(*r)});
            } else {
                out.push_back({false, r.error().value(), {}});
            }
        }
        return "lines: more items than the stream has bytes";
    }

    std::string all;  // every byte appended, across calls
    for (std::size_t i = 0; i < 2 * data.size() + 4; ++i) {
        Outcome o{true, 0, {}};
        std::size_t n = 0;
        if (c.mode == 1) {
            auto f = reader.read_line(o.bytes);
            auto r = drive(f, max_polls);
            if (!r) return "read_line never became ready";
            if (r->is_ok()) n = **r;
            else o = {false, r->error().value(), std::move(o.bytes)};
        } else {
            std::vector<std::byte> rec;
            auto f = reader.read_until(c.delim, rec);
            auto r = drive(f, max_polls);
            if (!r) return "read_until never became ready";
            o.bytes.assign(reinterpret_cast<const char*>(rec.data()), rec.size());
            if (r->is_ok()) n = **r;
            else o = {false, r->error().value(), std::move(o.bytes)};
        }
        if (o.ok && n != o.bytes.size()) return "the count returned is not the count appended";
        if (c.mode == 1) {
            const auto got = as_bytes(o.bytes);
            if (o.ok && !pollen::detail::is_utf8(got)) return "read_line appended bytes that are not UTF-8";
            if (!o.ok && o.error == invalid_err && !got.empty()) return "read_line refused a line but kept bytes";
            if (!o.ok && !pollen::detail::is_utf8_prefix(got)) return "read_line kept non-UTF-8 bytes after an error";
        }
        // Bounded: content up to the limit, plus the terminator ("\r\n" for read_line).
        std::size_t bound = line_cap + (c.mode == 1 ? 2 : 1);
        if (o.bytes.size() > bound) return "a record longer than the limit was appended";
        if (!o.ok && o.error == max_line_err && c.mode == 2 && o.bytes.size() != c.max_len)
            return "read_until: a refused record did not keep exactly max_len bytes";
        all += o.bytes;
        bool eof = o.ok && n == 0;
        bool stuck = !o.ok && o.error == max_line_err && o.bytes.empty();  // max_len 0: no progress possible
        out.push_back(std::move(o));
        if (eof || stuck) {
            if (!exact) return "";
            if (eof && all.size() != data.size()) return "end of stream before every byte was handed out";
            if (std::memcmp(all.data(), data.data(), all.size()) != 0) return "the bytes handed out are not the stream";
            return "";
        }
    }
    return "more records than the stream has bytes";
}

/// The lines and refusals `lines` must yield, from the whole input at once.
inline std::vector<Outcome> reference_lines(std::span<const std::byte> data, std::size_t max_len) {
    const int max_line_err = io::make_error_code(io::errc::max_line_length_exceeded).value();
    const int invalid_err = io::make_error_code(io::errc::invalid_data).value();
    std::vector<Outcome> out;
    std::string_view s(reinterpret_cast<const char*>(data.data()), data.size());
    std::size_t pos = 0;
    while (pos < s.size()) {
        std::size_t nl = s.find('\n', pos);
        bool terminated = nl != std::string_view::npos;
        std::string_view line = s.substr(pos, (terminated ? nl : s.size()) - pos);
        pos = terminated ? nl + 1 : s.size();
        bool cr = !line.empty() && line.back() == '\r';
        if (line.size() - (cr ? 1 : 0) > max_len) {
            out.push_back({false, max_line_err, {}});
            continue;
        }
        if (!pollen::detail::is_utf8(std::as_bytes(std::span(line.data(), line.size())))) {
            out.push_back({false, invalid_err, {}});
            continue;
        }
        if (terminated && cr) line.remove_suffix(1);
        out.push_back({true, 0, std::string(line)});
    }
    return out;
}

}  // namespace buf_reader_detail

/// The target: "" if every property held, else what broke.
inline std::string buf_reader_lines(const std::uint8_t* bytes, std::size_t size) {
    using namespace buf_reader_detail;
    if (size < 6) return "";
    Config c;
    c.mode = bytes[0] % 3;
    c.max_len = bytes[1] == 255 ? io::unlimited : bytes[1] % 48;
    c.capacity = 1 + bytes[2] % 32;
    c.delim = static_cast<std::byte>(bytes[3]);
    c.seed = bytes[4];
    c.fail_at = bytes[5] % 8;
    auto data = std::as_bytes(std::span(bytes + 6, size - 6));

    std::vector<Outcome> chunked;
    if (auto e = run(c, data, 1 + bytes[4] % 64, chunked); !e.empty()) return e;
    if (c.fail_at != 0) return "";  // a failed read restarts the count: no reference then

    // The same stream byte by byte through a one-byte buffer, and in one piece.
    Config bytewise = c;
    bytewise.capacity = 1;
    std::vector<Outcome> small;
    if (auto e = run(bytewise, data, 1, small); !e.empty()) return "byte by byte: " + e;
    Config whole = c;
    whole.capacity = data.size() + 1;
    std::vector<Outcome> big;
    if (auto e = run(whole, data, data.size() + 1, big); !e.empty()) return "in one piece: " + e;
    if (chunked != small || chunked != big) return "the outcome depends on how the stream is chunked";
    if (c.mode == 0 && chunked != reference_lines(data, c.max_len)) return "lines differs from the reference";
    return "";
}

}  // namespace pollen::fuzz
