#pragma once
// resp.hpp: the Redis serialization protocol, version 2 (RESP2), as pure
// functions over byte buffers. No I/O, no pollen, only the C++ standard
// library, so the same code serves the mini_redis server and client (through
// resp_codec.hpp), the task_queue sample's client, and fuzz targets.
//
// ## Parsing: the contract
//
// Both parsers look at the bytes buffered so far (`buf`, starting at the
// first unparsed byte) and never keep a pointer into them. They return a
// Parsed<T> that is exactly one of:
//
//   - Incomplete: `buf` holds the beginning of a valid message, nothing more.
//     `need` is a lower bound on the buffer size worth trying again with
//     (always > buf.size()): a caller may wait until that many bytes are
//     buffered instead of re-parsing after every read.
//   - Complete: `value` is the message and `consumed` (> 0, <= buf.size())
//     the number of bytes it took; the rest of `buf` is the next message.
//   - Error: `error` says why, in Redis's words ("Protocol error: invalid
//     bulk length"); the stream cannot be resynchronised, so the peer should
//     be told and the connection closed.
//
// Every input, however malformed or hostile, gives one of those three
// (no exception but std::bad_alloc, no undefined behaviour), and memory
// stays bounded by `Limits`: a length that exceeds a limit is an Error as
// soon as its header is read, before any of its bytes are buffered. The
// parsers are deterministic: the same bytes give the same answer, and a
// Complete message parses identically whatever follows it in the buffer.
//
// `parse_command` is the server side: a request is a multibulk array of bulk
// strings (`*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n`), or an inline command, a
// plain text line (`ECHO hi\r\n`, also `\n` alone) split on spaces with
// Redis's quoting rules ("..." with \n \r \t \b \a \\ \" \xHH escapes, and
// '...' with \' only). An empty line, `*0` or `*-1` is a Complete command
// with no arguments, which servers skip, as Redis does. It is a
// `CommandParser` fed the whole buffer at once; a server feeds that parser
// each read instead, and it keeps its place (the arguments still to come,
// the length of the bulk string being read), so a request that arrives in
// many reads is parsed once, with the same answers.
//
// `parse_value` is the client side: any RESP2 reply, `+simple`, `-error`,
// `:integer`, `$bulk` (or `$-1`, null), `*array` (or `*-1`, null), arrays
// nested at most `Limits::max_depth` deep.
//
// ## Encoding
//
// The `append_*` functions append one encoded value to `out`: a std::string,
// or anything with `append(std::string_view)` (resp_codec.hpp's adapter over
// a BytesMut). Simple strings and errors cannot hold CR or LF; they are
// replaced by spaces, as Redis does with error messages. `simple`, `error`,
// `integer`, `bulk`, `null` and `array` build a Value, to encode later.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resp {

/// Bounds on what a parser accepts. Redis's own are 512 MiB per bulk
/// string, 1M elements per request and 64 KiB per inline line.
struct Limits {
    std::size_t max_bulk = 64u << 20;         ///< bytes in one bulk string
    std::size_t max_elements = 1u << 20;      ///< elements in one array
    std::size_t max_line = 64u << 10;         ///< an inline command, or any header / simple line
    std::size_t max_message = 128u << 20;     ///< bytes in one whole request or reply
    std::size_t max_depth = 16;               ///< nesting of arrays (parse_value only)
};

template <class T>
struct Parsed {
    enum class Status { Incomplete, Complete, Error };
    Status status = Status::Incomplete;
    T value{};
    std::size_t consumed = 0;  ///< Complete: bytes taken
    std::size_t need = 0;      ///< Incomplete: try again once the buffer holds this many bytes
    std::string error;         ///< Error: why, e.g. "Protocol error: invalid bulk length"

    bool incomplete() const { return status == Status::Incomplete; }
    bool complete() const { return status == Status::Complete; }
    bool failed() const { return status == Status::Error; }
};

/// A request: the command name and its arguments, all binary-safe.
struct Command {
    std::vector<std::string> args;
    bool is_inline = false;  ///< came as a text line rather than a multibulk array
};

/// A reply. The parser reads both `$-1` and `*-1` as Null; a server that
/// must send `*-1` (a BLPOP that timed out, an aborted EXEC) builds NullArray.
/// Encoded is a server's reply that is already RESP bytes (built straight
/// into its encoding, `encoded`: a long array without a Value per element);
/// the parser never gives one.
struct Value {
    enum class Kind { Simple, Error, Integer, Bulk, Null, Array, NullArray, Encoded };
    Kind kind = Kind::Null;
    std::string str;              ///< Simple, Error, Bulk; Encoded: the RESP bytes
    std::int64_t integer = 0;     ///< Integer
    std::vector<Value> elements;  ///< Array

    bool is_null() const { return kind == Kind::Null || kind == Kind::NullArray; }
    bool is_error() const { return kind == Kind::Error; }
    bool is_array() const { return kind == Kind::Array; }
    bool is_integer() const { return kind == Kind::Integer; }
    /// Simple or bulk string.
    bool is_string() const { return kind == Kind::Simple || kind == Kind::Bulk; }
};

namespace detail {

/// Where a CRLF-terminated header line ends. Found: `end` is the index of
/// its '\r'. Otherwise either more bytes are needed or it is too long.
struct Line {
    enum class Kind { Found, Incomplete, TooLong, BadEnd } kind;
    std::size_t end = 0;
};

inline Line find_line(std::string_view buf, std::size_t from, std::size_t max_line) {
    std::size_t limit = std::min(buf.size(), from + max_line + 1);
    for (std::size_t i = from; i < limit; ++i) {
        if (buf[i] != '\r') continue;
        if (i + 1 >= buf.size()) return {Line::Kind::Incomplete};
        if (buf[i + 1] != '\n') return {Line::Kind::BadEnd};
        return {Line::Kind::Found, i};
    }
    if (buf.size() - from > max_line) return {Line::Kind::TooLong};
    return {Line::Kind::Incomplete};
}

/// A whole decimal int64: optional '-', digits, nothing else.
inline bool parse_int(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

inline int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

/// Redis's sdssplitargs: false on unbalanced quotes (or a closing quote
/// not followed by a space).
inline bool split_inline(std::string_view line, std::vector<std::string>& out) {
    std::size_t i = 0;
    for (;;) {
        while (i < line.size() && is_space(line[i])) ++i;
        if (i == line.size()) return true;
        std::string arg;
        bool in_dq = false, in_sq = false, done = false;
        while (!done) {
            if (in_dq) {
                if (i == line.size()) return false;
                char c = line[i];
                if (c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && hex_digit(line[i + 2]) >= 0 &&
                    hex_digit(line[i + 3]) >= 0) {
                    arg += static_cast<char>(hex_digit(line[i + 2]) * 16 + hex_digit(line[i + 3]));
                    i += 3;
                } else if (c == '\\' && i + 1 < line.size()) {
                    ++i;
                    switch (line[i]) {
                        case 'n': arg += '\n'; break;
                        case 'r': arg += '\r'; break;
                        case 't': arg += '\t'; break;
                        case 'b': arg += '\b'; break;
                        case 'a': arg += '\a'; break;
                        default: arg += line[i]; break;
                    }
                } else if (c == '"') {
                    if (i + 1 < line.size() && !is_space(line[i + 1])) return false;
                    done = true;
                } else {
                    arg += c;
                }
            } else if (in_sq) {
                if (i == line.size()) return false;
                char c = line[i];
                if (c == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
                    ++i;
                    arg += '\'';
                } else if (c == '\'') {
                    if (i + 1 < line.size() && !is_space(line[i + 1])) return false;
                    done = true;
                } else {
                    arg += c;
                }
            } else {
                if (i == line.size()) break;
                char c = line[i];
                if (is_space(c)) break;
                if (c == '"') {
                    in_dq = true;
                } else if (c == '\'') {
                    in_sq = true;
                } else {  // a run of plain bytes, appended at once
                    std::size_t end = i + 1;
                    while (end < line.size() && !is_space(line[end]) && line[end] != '"' && line[end] != '\'') ++end;
                    arg.append(line.data() + i, end - i);
                    i = end - 1;
                }
            }
            if (i < line.size()) ++i;
        }
        out.push_back(std::move(arg));
    }
}

template <class T>
Parsed<T> incomplete(std::size_t need) {
    Parsed<T> p;
    p.status = Parsed<T>::Status::Incomplete;
    p.need = need;
    return p;
}

template <class T>
Parsed<T> error(std::string why) {
    Parsed<T> p;
    p.status = Parsed<T>::Status::Error;
    p.error = "Protocol error: " + std::move(why);
    return p;
}

/// An Error whose text already says "Protocol error: ...".
template <class T>
Parsed<T> error_text(std::string text) {
    Parsed<T> p;
    p.status = Parsed<T>::Status::Error;
    p.error = std::move(text);
    return p;
}

inline std::string shown(char c) {
    if (c >= 0x20 && c < 0x7f) return std::string(1, c);
    const char* hex = "0123456789abcdef";
    return std::string("\\x") + hex[(c >> 4) & 0xf] + hex[c & 0xf];
}

/// The header line at `pos` of a `$` bulk string or a `*` array: its length,
/// or how parsing stopped.
struct Header {
    enum class Kind { Ok, Incomplete, Error } kind = Kind::Ok;
    std::int64_t len = 0;
    std::size_t next = 0;  ///< Ok: first byte after it; Incomplete: the buffer size worth waiting for (0: unknown)
    std::string error;

    static Header ok(std::int64_t len, std::size_t next) { return {Kind::Ok, len, next, {}}; }
    static Header incomplete(std::size_t need = 0) { return {Kind::Incomplete, 0, need, {}}; }
    static Header fail(std::string why) { return {Kind::Error, 0, 0, std::move(why)}; }
};

inline Header read_header(std::string_view buf, std::size_t pos, const Limits& lim, const char* what) {
    Line l = find_line(buf, pos + 1, lim.max_line);
    switch (l.kind) {
        case Line::Kind::Incomplete: return Header::incomplete();
        case Line::Kind::TooLong: return Header::fail(std::string("too big ") + what + " count string");
        case Line::Kind::BadEnd: return Header::fail(std::string("invalid ") + what + " length");
        case Line::Kind::Found: break;
    }
    std::int64_t n = 0;
    if (!parse_int(buf.substr(pos + 1, l.end - pos - 1), n))
        return Header::fail(std::string("invalid ") + what + " length");
    return Header::ok(n, l.end + 2);
}

/// The bulk string whose `$` is at `pos`; `start` is where the whole message began.
inline Header read_bulk(std::string_view buf, std::size_t start, std::size_t pos, const Limits& lim,
                        std::string_view& out, bool allow_null) {
    Header h = read_header(buf, pos, lim, "bulk");
    if (h.kind != Header::Kind::Ok) return h;
    if (h.len == -1 && allow_null) return h;
    if (h.len < 0 || static_cast<std::uint64_t>(h.len) > lim.max_bulk)
        return Header::fail("invalid bulk length");
    std::size_t len = static_cast<std::size_t>(h.len);
    if (h.next - start + len + 2 > lim.max_message) return Header::fail("message too large");
    if (buf.size() < h.next + len + 2) return Header::incomplete(h.next + len + 2);
    if (buf[h.next + len] != '\r' || buf[h.next + len + 1] != '\n')
        return Header::fail("bulk string not followed by CRLF");
    out = buf.substr(h.next, len);
    h.next += len + 2;
    return h;
}

/// One value at `pos` (parse_value's recursive step).
inline Header read_value(std::string_view buf, std::size_t start, std::size_t pos, const Limits& lim,
                         std::size_t depth, Value& out) {
    if (pos >= buf.size()) return Header::incomplete(pos + 1);
    char type = buf[pos];
    switch (type) {
        case '+':
        case '-':
        case ':': {
            Line l = find_line(buf, pos + 1, lim.max_line);
            if (l.kind == Line::Kind::Incomplete) return Header::incomplete(buf.size() + 1);
            if (l.kind != Line::Kind::Found) return Header::fail("invalid line");
            std::string_view text = buf.substr(pos + 1, l.end - pos - 1);
            if (type == ':') {
                out.kind = Value::Kind::Integer;
                if (!parse_int(text, out.integer)) return Header::fail("invalid integer");
            } else {
                out.kind = type == '+' ? Value::Kind::Simple : Value::Kind::Error;
                out.str.assign(text);
            }
            return Header::ok(0, l.end + 2);
        }
        case '$': {
            std::string_view body;
            Header h = read_bulk(buf, start, pos, lim, body, true);
            if (h.kind == Header::Kind::Incomplete && h.next == 0) h.next = buf.size() + 1;
            if (h.kind != Header::Kind::Ok) return h;
            if (h.len == -1) {
                out.kind = Value::Kind::Null;
            } else {
                out.kind = Value::Kind::Bulk;
                out.str.assign(body);
            }
            return h;
        }
        case '*': {
            Header h = read_header(buf, pos, lim, "multibulk");
            if (h.kind == Header::Kind::Incomplete) return Header::incomplete(buf.size() + 1);
            if (h.kind != Header::Kind::Ok) return h;
            if (h.len == -1) {
                out.kind = Value::Kind::Null;
                return h;
            }
            if (h.len < 0 || static_cast<std::uint64_t>(h.len) > lim.max_elements)
                return Header::fail("invalid multibulk length");
            if (depth >= lim.max_depth) return Header::fail("arrays nested too deep");
            out.kind = Value::Kind::Array;
            // Trust the count only as far as the bytes present can back it.
            out.elements.reserve(std::min<std::size_t>(static_cast<std::size_t>(h.len), (buf.size() - h.next) / 3 + 1));
            std::size_t at = h.next;
            for (std::int64_t i = 0; i < h.len; ++i) {
                Value v;
                Header e = read_value(buf, start, at, lim, depth + 1, v);
                if (e.kind != Header::Kind::Ok) return e;
                out.elements.push_back(std::move(v));
                at = e.next;
                if (at - start > lim.max_message) return Header::fail("message too large");
            }
            return Header::ok(h.len, at);
        }
        default:
            return Header::fail("unexpected type byte '" + shown(type) + "'");
    }
}

}  // namespace detail

/// The server's request parser, incremental: it keeps its place across
/// calls, so a request that arrives in many reads is parsed once, in work
/// linear in its size, whatever the size of the reads (Redis's
/// processMultibulkBuffer keeps the same state: the arguments still to come,
/// the length of the bulk string being read).
///
/// `parse(buf)` looks at the bytes not consumed so far, `buf` starting at the
/// first of them, and says how many it consumed: also when the request is
/// still Incomplete, whole arguments (and the headers read) are taken off the
/// front as they arrive, and the caller must drop those bytes before the
/// next call. Incomplete's `need` is then the size of the rest of `buf`
/// worth waiting for. On Complete, `take()` hands out the request; an Error
/// is final (the stream cannot be resynchronised), and the parser must not
/// be used again. The answers are the same as parse_command's on the whole
/// input, however it is cut.
///
/// Memory: a request in progress holds its arguments so far
/// (`pending_bytes()`, for the caller's query-buffer limits); the argument
/// vector and its strings are reused from request to request when the caller
/// gives them back (`recycle`). `work()` counts the bytes examined, for tests
/// that check linearity. One thread at a time.
class CommandParser {
public:
    struct Step {
        enum class Status { Incomplete, Complete, Error };
        Status status = Status::Incomplete;
        std::size_t consumed = 0;  ///< bytes of `buf` taken, whatever the status but Error
        std::size_t need = 0;      ///< Incomplete: worth calling again once `buf` (after consumed) holds this many
        std::string error;         ///< Error: "Protocol error: ..."
    };

    explicit CommandParser(const Limits& lim = {}) : lim_(lim) {}

    const Limits& limits() const { return lim_; }

    Step parse(std::string_view buf) {
        std::size_t pos = 0;
        if (want_ == 0) {  // at the start of a request
            if (buf.empty()) return incomplete(0, 1);
            if (buf[0] != '*') return parse_inline(buf);
            std::int64_t n = 0;
            std::size_t end = 0;
            if (!quick_length(buf, 0, n, end)) {
                detail::Line l = scan_line(buf, 0);
                if (l.kind == detail::Line::Kind::Incomplete) return incomplete(0, buf.size() + 1);
                if (l.kind == detail::Line::Kind::TooLong) return fail("too big mbulk count string");
                if (l.kind == detail::Line::Kind::BadEnd || !parse_length(buf.substr(1, l.end - 1), n))
                    return fail("invalid multibulk length");
                end = l.end;
            }
            if (n > 0 && static_cast<std::uint64_t>(n) > lim_.max_elements) return fail("invalid multibulk length");
            pos = end + 2;
            if (n <= 0) {  // *0 and *-1: an empty request, which servers skip
                reset();
                is_inline_ = false;
                Step s;
                s.status = Status::Complete;
                s.consumed = pos;
                return s;
            }
            want_ = static_cast<std::size_t>(n);
            argc_ = 0;
            bulk_ = -1;
            request_bytes_ = pos;
            is_inline_ = false;
        }
        while (argc_ < want_) {
            if (bulk_ < 0) {
                if (pos >= buf.size()) return incomplete(pos, 1);
                if (buf[pos] != '$') return fail("expected '$', got '" + detail::shown(buf[pos]) + "'");
                std::int64_t len = 0;
                std::size_t end = 0;
                if (!quick_length(buf, pos, len, end)) {
                    detail::Line l = scan_line(buf, pos);
                    if (l.kind == detail::Line::Kind::Incomplete) return incomplete(pos, buf.size() - pos + 1);
                    if (l.kind == detail::Line::Kind::TooLong) return fail("too big bulk count string");
                    if (l.kind == detail::Line::Kind::BadEnd || !parse_length(buf.substr(pos + 1, l.end - pos - 1), len))
                        return fail("invalid bulk length");
                    end = l.end;
                }
                if (len < 0 || static_cast<std::uint64_t>(len) > lim_.max_bulk) return fail("invalid bulk length");
                std::size_t header = end + 2 - pos;
                if (request_bytes_ + header + static_cast<std::size_t>(len) + 2 > lim_.max_message)
                    return fail("message too large");
                request_bytes_ += header;
                pos += header;
                bulk_ = len;
            }
            const std::size_t len = static_cast<std::size_t>(bulk_);
            if (buf.size() - pos < len + 2) return incomplete(pos, len + 2);
            if (buf[pos + len] != '\r' || buf[pos + len + 1] != '\n') return fail("bulk string not followed by CRLF");
            work_ += len + 2;
            if (argc_ < args_.size()) {
                // A recycled argument: same-length keys and values (the usual
                // pipeline) are copied over without assign's general path.
                std::string& arg = args_[argc_];
                arg.resize(len);
                std::memcpy(arg.data(), buf.data() + pos, len);
            } else {
                args_.emplace_back(buf.data() + pos, len);
            }
            ++argc_;
            held_ += sizeof(std::string) + len;
            request_bytes_ += len + 2;
            pos += len + 2;
            bulk_ = -1;
        }
        args_.resize(argc_);
        want_ = 0;
        held_ = 0;
        Step s;
        s.status = Status::Complete;
        s.consumed = pos;
        return s;
    }

    /// The request the last Complete step parsed (empty for `*0` or a blank line).
    Command take() {
        Command c;
        c.args = std::move(args_);
        c.is_inline = is_inline_;
        args_.clear();
        argc_ = 0;
        return c;
    }

    /// Gives a taken request's argument vector back, so that the next
    /// requests reuse its storage. Optional.
    void recycle(std::vector<std::string>&& args) {
        if (args_.capacity() == 0 && want_ == 0) args_ = std::move(args);
    }

    /// Bytes held by the request in progress: its arguments so far.
    std::size_t pending_bytes() const { return held_; }
    /// Bytes examined so far, in total: linear in the input however it is cut.
    std::uint64_t work() const { return work_; }

    /// Back to the start of a request (what came so far is dropped).
    void reset() {
        want_ = 0;
        argc_ = 0;
        bulk_ = -1;
        held_ = 0;
        scanned_ = 0;
        args_.resize(0);
    }

private:
    using Status = Step::Status;

    static Step incomplete(std::size_t consumed, std::size_t need) {
        Step s;
        s.consumed = consumed;
        s.need = need;
        return s;
    }
    static Step fail(std::string why) {
        Step s;
        s.status = Status::Error;
        s.error = "Protocol error: " + std::move(why);
        return s;
    }

    /// find_line for the header line at `at`, resuming where the last call
    /// stopped looking (a header cut by a read is not searched twice).
    detail::Line scan_line(std::string_view buf, std::size_t at) {
        std::size_t from = at + 1 + scanned_;
        std::size_t limit = std::min(buf.size(), at + 1 + lim_.max_line + 1);
        if (from < limit) {
            const void* cr = std::memchr(buf.data() + from, '\r', limit - from);
            if (cr) {
                std::size_t i = static_cast<std::size_t>(static_cast<const char*>(cr) - buf.data());
                work_ += i + 1 - from;
                if (i + 1 >= buf.size()) {
                    scanned_ = i - at - 1;  // look at this CR again once its LF may be there
                    return {detail::Line::Kind::Incomplete};
                }
                scanned_ = 0;
                if (buf[i + 1] != '\n') return {detail::Line::Kind::BadEnd};
                return {detail::Line::Kind::Found, i};
            }
            work_ += limit - from;
        }
        if (buf.size() - at - 1 > lim_.max_line) return {detail::Line::Kind::TooLong};
        scanned_ = std::max(limit, from) - at - 1;
        return {detail::Line::Kind::Incomplete};
    }

    /// The header line at `at` in one pass when it is the usual one: a few
    /// digits after its type byte, then CRLF, all in `buf`. The length in
    /// `n`, the index of its '\r' in `end`. False leaves everything else
    /// (a sign, a cut line, a malformed one) to scan_line and parse_length,
    /// which this agrees with, the bytes examined (work()) included.
    bool quick_length(std::string_view buf, std::size_t at, std::int64_t& n, std::size_t& end) {
        if (scanned_ != 0) return false;  // a header cut by a read: scan_line resumes it
        const std::size_t stop = std::min(buf.size(), at + 1 + std::min<std::size_t>(18, lim_.max_line));
        std::size_t i = at + 1;
        std::int64_t v = 0;
        while (i < stop && buf[i] >= '0' && buf[i] <= '9') v = v * 10 + (buf[i++] - '0');
        if (i == at + 1 || i + 1 >= buf.size() || buf[i] != '\r' || buf[i + 1] != '\n') return false;
        work_ += i - at;
        n = v;
        end = i;
        return true;
    }

    /// detail::parse_int, with a fast path for the common case, a short
    /// run of digits (array counts and bulk lengths, on every request).
    static bool parse_length(std::string_view s, std::int64_t& out) {
        if (!s.empty() && s.size() <= 18) {
            std::int64_t n = 0;
            for (char c : s) {
                if (c < '0' || c > '9') return detail::parse_int(s, out);
                n = n * 10 + (c - '0');
            }
            out = n;
            return true;
        }
        return detail::parse_int(s, out);
    }

    Step parse_inline(std::string_view buf) {
        std::size_t limit = std::min(buf.size(), lim_.max_line + 1);
        std::size_t nl = std::string_view::npos;
        if (scanned_ < limit) {
            const void* found = std::memchr(buf.data() + scanned_, '\n', limit - scanned_);
            nl = found ? static_cast<std::size_t>(static_cast<const char*>(found) - buf.data()) : std::string_view::npos;
            work_ += (found ? nl + 1 : limit) - scanned_;
        }
        if (nl == std::string_view::npos) {
            if (buf.size() > lim_.max_line) return fail("too big inline request");
            scanned_ = limit;
            return incomplete(0, buf.size() + 1);
        }
        scanned_ = 0;
        std::string_view line = buf.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        work_ += line.size();
        args_.clear();
        if (!detail::split_inline(line, args_)) return fail("unbalanced quotes in request");
        argc_ = args_.size();
        is_inline_ = true;
        Step s;
        s.status = Status::Complete;
        s.consumed = nl + 1;
        return s;
    }

    Limits lim_;
    std::vector<std::string> args_;  ///< the request's arguments; [0, argc_) are this request's
    std::size_t argc_ = 0;
    std::size_t want_ = 0;           ///< arguments the request announced; 0: between requests
    std::int64_t bulk_ = -1;         ///< length of the bulk string being read; -1: its header comes next
    std::size_t scanned_ = 0;        ///< bytes of the current line already searched for its end
    std::size_t request_bytes_ = 0;  ///< bytes of the request so far (max_message)
    std::size_t held_ = 0;           ///< memory held by the arguments so far
    std::uint64_t work_ = 0;
    bool is_inline_ = false;
};

/// Parses one request at the front of `buf` (see the contract above): a
/// CommandParser fed the whole buffer at once.
inline Parsed<Command> parse_command(std::string_view buf, const Limits& lim = {}) {
    CommandParser parser(lim);
    CommandParser::Step s = parser.parse(buf);
    if (s.status == CommandParser::Step::Status::Error) return detail::error_text<Command>(std::move(s.error));
    if (s.status == CommandParser::Step::Status::Incomplete) return detail::incomplete<Command>(s.consumed + s.need);
    Parsed<Command> p;
    p.status = Parsed<Command>::Status::Complete;
    p.consumed = s.consumed;
    p.value = parser.take();
    return p;
}

/// Parses one reply at the front of `buf` (see the contract above).
inline Parsed<Value> parse_value(std::string_view buf, const Limits& lim = {}) {
    using detail::Header;
    Parsed<Value> p;
    Header h = detail::read_value(buf, 0, 0, lim, 0, p.value);
    if (h.kind == Header::Kind::Incomplete) return detail::incomplete<Value>(std::max(h.next, buf.size() + 1));
    if (h.kind == Header::Kind::Error) return detail::error<Value>(h.error);
    p.status = Parsed<Value>::Status::Complete;
    p.consumed = h.next;
    return p;
}

// ---------------------------------------------------------------- building values

inline Value simple(std::string text) { return {Value::Kind::Simple, std::move(text), 0, {}}; }
// Out of line: error replies are the cold path, and where one is built from a
// long literal and moved into a vector, GCC 12 warns falsely once it is inlined
// (-Warray-bounds on the string's copy).
[[gnu::noinline]] inline Value error(std::string message) { return {Value::Kind::Error, std::move(message), 0, {}}; }
inline Value integer(std::int64_t n) { return {Value::Kind::Integer, {}, n, {}}; }
inline Value bulk(std::string bytes) { return {Value::Kind::Bulk, std::move(bytes), 0, {}}; }
inline Value null() { return {}; }
inline Value null_array() { return {Value::Kind::NullArray, {}, 0, {}}; }
inline Value array(std::vector<Value> elements) { return {Value::Kind::Array, {}, 0, std::move(elements)}; }
/// One whole value already encoded (by the append_* functions into a std::string).
inline Value encoded(std::string resp_bytes) { return {Value::Kind::Encoded, std::move(resp_bytes), 0, {}}; }

// ---------------------------------------------------------------- encoding

namespace detail {
template <class Out>
void append_line(Out& out, char type, std::string_view text) {
    out.append(std::string_view(&type, 1));
    if (text.find_first_of("\r\n") == std::string_view::npos) {
        out.append(text);
    } else {
        std::string clean(text);
        std::replace_if(clean.begin(), clean.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
        out.append(std::string_view(clean));
    }
    out.append(std::string_view("\r\n"));
}
template <class Out>
void append_number(Out& out, char type, std::int64_t n) {
    char line[24];
    line[0] = type;
    auto [end, ec] = std::to_chars(line + 1, line + sizeof line - 2, n);
    (void)ec;  // 20 digits and a sign always fit
    *end++ = '\r';
    *end++ = '\n';
    out.append(std::string_view(line, static_cast<std::size_t>(end - line)));
}
}  // namespace detail

/// `+text`: a short status such as OK or PONG.
template <class Out>
void append_simple(Out& out, std::string_view text) { detail::append_line(out, '+', text); }
/// `-message`: by convention the message starts with a code, "ERR ..." or "WRONGTYPE ...".
template <class Out>
void append_error(Out& out, std::string_view message) { detail::append_line(out, '-', message); }
template <class Out>
void append_integer(Out& out, std::int64_t n) { detail::append_number(out, ':', n); }
/// `$len` and the bytes: binary-safe.
template <class Out>
void append_bulk(Out& out, std::string_view bytes) {
    detail::append_number(out, '$', static_cast<std::int64_t>(bytes.size()));
    out.append(bytes);
    out.append(std::string_view("\r\n"));
}
/// `$-1`: the null bulk string (GET of a missing key).
template <class Out>
void append_null(Out& out) { out.append(std::string_view("$-1\r\n")); }
/// `*-1`: the null array (BLMOVE that timed out).
template <class Out>
void append_null_array(Out& out) { out.append(std::string_view("*-1\r\n")); }
/// `*n`: to be followed by n values.
template <class Out>
void append_array_header(Out& out, std::size_t n) {
    detail::append_number(out, '*', static_cast<std::int64_t>(n));
}

/// `*n` and the n bulk strings of [first, first + n), appended to a
/// std::string in one pass: the size is summed first, so the string grows
/// once and each element costs a few stores (a long reply such as LRANGE's
/// without a Value, an allocation or an append call per element).
template <class It>
void append_bulk_array(std::string& out, It first, std::size_t n) {
    auto digits = [](std::size_t v) {
        std::size_t d = 1;
        for (; v >= 10; v /= 10) ++d;
        return d;
    };
    std::size_t bytes = 3 + digits(n);  // exact: resize's zero fill is all the string writes twice
    It it = first;
    for (std::size_t i = 0; i < n; ++i, ++it) {
        std::size_t len = std::string_view(*it).size();
        bytes += len + 5 + digits(len);  // "$" len "\r\n" bytes "\r\n"
    }
    std::size_t at = out.size();
    out.resize(at + bytes);
    char* p = out.data() + at;
    auto put_number = [&p](char type, std::size_t v) {
        *p++ = type;
        p = std::to_chars(p, p + 20, v).ptr;
        *p++ = '\r';
        *p++ = '\n';
    };
    put_number('*', n);
    for (std::size_t i = 0; i < n; ++i, ++first) {
        std::string_view s(*first);
        put_number('$', s.size());
        std::memcpy(p, s.data(), s.size());
        p += s.size();
        *p++ = '\r';
        *p++ = '\n';
    }
    out.resize(static_cast<std::size_t>(p - out.data()));
}

/// A request as clients send it: an array of bulk strings.
template <class Out, class Range>
void append_command(Out& out, const Range& args) {
    append_array_header(out, static_cast<std::size_t>(std::distance(std::begin(args), std::end(args))));
    for (const auto& a : args) append_bulk(out, std::string_view(a));
}
template <class Out>
void append_command(Out& out, std::initializer_list<std::string_view> args) {
    append_command<Out, std::initializer_list<std::string_view>>(out, args);
}

/// Any value, nested arrays included (Null is written as `$-1`, NullArray as `*-1`).
template <class Out>
void append_value(Out& out, const Value& v) {
    switch (v.kind) {
        case Value::Kind::Simple: append_simple(out, v.str); break;
        case Value::Kind::Error: append_error(out, v.str); break;
        case Value::Kind::Integer: append_integer(out, v.integer); break;
        case Value::Kind::Bulk: append_bulk(out, v.str); break;
        case Value::Kind::Null: append_null(out); break;
        case Value::Kind::NullArray: append_null_array(out); break;
        case Value::Kind::Encoded: out.append(v.str); break;
        case Value::Kind::Array:
            append_array_header(out, v.elements.size());
            for (const auto& e : v.elements) append_value(out, e);
            break;
    }
}

}  // namespace resp
