#pragma once
// Fuzz target logic: the RESP2 parsers of samples/mini_redis (resp.hpp),
// server side (parse_command) and client side (parse_value), fed hostile
// bytes under fuzz-chosen limits. Shared by the libFuzzer main
// (resp_parser_fuzz.cpp) and test/fuzz_regression_test.cpp.
//
// Input: 2 header bytes, then the bytes buffered.
//   [0] limits selector (below 128: small limits the fuzzer can reach)
//   [1] which parser goes first and how far to read (messages per run)
//
// What must hold (resp.hpp's contract):
//   - any bytes give exactly one of Incomplete, Complete, Error;
//     Incomplete's `need` exceeds the buffer; Complete's `consumed` is in (0, size];
//   - a Complete message parses identically alone (whatever followed it), and
//     every cut of it is Incomplete with a `need` no larger than the message;
//   - a Complete message encoded again with resp's append_* functions parses
//     to the same message (commands as multibulk arrays);
//   - the bytes after a Complete message parse under the same rules (pipelining);
//   - the incremental CommandParser, fed the bytes in pieces of a fuzz-chosen
//     size (its consumed bytes dropped after each call, as the server's codec
//     does), gives the same requests and the same error as parse_command on
//     the whole, examining a number of bytes linear in the input.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../../samples/mini_redis/resp.hpp"

namespace pollen::fuzz {

namespace resp_detail {

inline bool same_value(const resp::Value& a, const resp::Value& b) {
    if (a.kind != b.kind || a.str != b.str || a.integer != b.integer || a.elements.size() != b.elements.size())
        return false;
    for (std::size_t i = 0; i < a.elements.size(); ++i)
        if (!same_value(a.elements[i], b.elements[i])) return false;
    return true;
}

inline bool same(const resp::Command& a, const resp::Command& b) { return a.args == b.args && a.is_inline == b.is_inline; }
inline bool same(const resp::Value& a, const resp::Value& b) { return same_value(a, b); }

/// Encoding keeps everything but the inline flag, and turns CR and LF of
/// simple strings and errors into spaces (as documented in resp.hpp).
inline bool same_encoded(const resp::Command& re, const resp::Command& orig) { return re.args == orig.args; }
inline resp::Value flattened(resp::Value v) {
    if (v.kind == resp::Value::Kind::Simple || v.kind == resp::Value::Kind::Error)
        for (char& c : v.str)
            if (c == '\r' || c == '\n') c = ' ';
    for (auto& e : v.elements) e = flattened(std::move(e));
    return v;
}
inline bool same_encoded(const resp::Value& re, const resp::Value& orig) { return same_value(re, flattened(orig)); }

/// One message at the front of `buf` with `parse`; `encode` writes a value back.
template <class Parse, class Encode>
std::string check_stream(std::string_view buf, const resp::Limits& lim, int max_messages, Parse parse, Encode encode,
                         const char* who) {
    const std::string me = std::string(who) + ": ";
    for (int m = 0; m < max_messages && !buf.empty(); ++m) {
        auto whole = parse(buf, lim);
        if (whole.incomplete()) {
            if (whole.need <= buf.size()) return me + "Incomplete asks for no more bytes than it has";
            return "";
        }
        if (whole.failed()) {
            if (whole.error.empty()) return me + "an Error without a reason";
            return "";
        }
        if (whole.consumed == 0 || whole.consumed > buf.size()) return me + "consumed out of range";
        std::string_view msg = buf.substr(0, whole.consumed);
        auto alone = parse(msg, lim);
        if (!alone.complete() || alone.consumed != whole.consumed || !same(alone.value, whole.value))
            return me + "a message parses differently without what follows it";
        for (std::size_t cut : {msg.size() - 1, msg.size() / 2, std::size_t{1}}) {
            if (cut == 0 || cut >= msg.size()) continue;
            auto part = parse(msg.substr(0, cut), lim);
            if (!part.incomplete()) return me + "a cut message is not Incomplete";
            if (part.need <= cut || part.need > msg.size()) return me + "a cut message's need is out of range";
        }
        std::string again;
        if (encode(again, whole.value)) {
            resp::Limits roomy = lim;
            roomy.max_message = std::max(lim.max_message, again.size());
            roomy.max_line = std::max(lim.max_line, again.size());
            roomy.max_bulk = std::max(lim.max_bulk, again.size());
            roomy.max_elements = std::max(lim.max_elements, again.size());
            auto re = parse(again, roomy);
            if (!re.complete() || re.consumed != again.size())
                return me + "a message encoded again does not parse whole";
            if (!same_encoded(re.value, whole.value)) return me + "a message encoded again parses differently";
        }
        buf.remove_prefix(whole.consumed);
    }
    return "";
}

/// The CommandParser fed `buf` `step` bytes at a time against parse_command
/// on the whole, over the first `max_messages` requests.
inline std::string check_incremental(std::string_view buf, const resp::Limits& lim, std::size_t step,
                                     int max_messages) {
    const std::string me = "CommandParser: ";
    std::vector<resp::Command> want;
    std::string want_error;
    for (std::string_view rest = buf; static_cast<int>(want.size()) < max_messages && !rest.empty();) {
        auto p = resp::parse_command(rest, lim);
        if (p.incomplete()) break;
        if (p.failed()) {
            want_error = p.error;
            break;
        }
        want.push_back(std::move(p.value));
        rest.remove_prefix(p.consumed);
    }
    resp::CommandParser parser(lim);
    std::string pending;  // the bytes fed and not consumed yet
    std::vector<resp::Command> got;
    std::string got_error;
    for (std::size_t fed = 0; fed < buf.size() && got_error.empty() && got.size() < want.size() + 1;) {
        std::size_t n = std::min(step, buf.size() - fed);
        pending.append(buf.substr(fed, n));
        fed += n;
        while (got.size() < want.size() + 1) {
            auto s = parser.parse(pending);
            if (s.status == resp::CommandParser::Step::Status::Error) {
                got_error = s.error;
                break;
            }
            if (s.consumed > pending.size()) return me + "consumed out of range";
            pending.erase(0, s.consumed);
            if (s.status == resp::CommandParser::Step::Status::Incomplete) {
                if (s.need == 0) return me + "Incomplete asks for nothing";
                break;
            }
            got.push_back(parser.take());
        }
        if (parser.work() > 3 * fed + 8) return me + "examined more than thrice the bytes fed";
    }
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (i >= got.size()) return me + "fewer requests than parse_command";
        if (!same(got[i], want[i])) return me + "a request differs from parse_command's";
    }
    if (!want_error.empty() && got_error != want_error) return me + "a different error than parse_command's";
    if (want_error.empty() && static_cast<int>(want.size()) < max_messages) {
        if (!got_error.empty()) return me + "an error where parse_command has none";
        if (got.size() > want.size()) return me + "more requests than parse_command";
    }
    return "";
}

}  // namespace resp_detail

/// The target: "" if every property held, else what broke.
inline std::string resp_parser(const std::uint8_t* bytes, std::size_t size) {
    using namespace resp_detail;
    if (size < 2) return "";
    resp::Limits lim;
    if (bytes[0] < 128) {
        lim.max_bulk = 1 + bytes[0] % 64;
        lim.max_elements = 1 + (bytes[0] >> 2) % 16;
        lim.max_line = 4 + bytes[0] % 32;
        lim.max_message = 16 + bytes[0] * 4;
        lim.max_depth = 1 + bytes[0] % 5;
    }
    const int messages = 1 + bytes[1] % 8;
    std::string_view buf(reinterpret_cast<const char*>(bytes + 2), size - 2);

    auto parse_command = [](std::string_view b, const resp::Limits& l) { return resp::parse_command(b, l); };
    auto encode_command = [](std::string& out, const resp::Command& c) {
        // An empty command (blank line, *0, *-1) has no encoding of its own.
        if (c.args.empty()) return false;
        resp::append_command(out, c.args);
        return true;
    };
    auto parse_value = [](std::string_view b, const resp::Limits& l) { return resp::parse_value(b, l); };
    auto encode_value = [](std::string& out, const resp::Value& v) {
        resp::append_value(out, v);
        return true;
    };
    std::string e = check_stream(buf, lim, messages, parse_command, encode_command, "parse_command");
    if (!e.empty()) return e;
    e = check_incremental(buf, lim, 1 + (bytes[1] >> 3) % 17, messages);
    if (!e.empty()) return e;
    return check_stream(buf, lim, messages, parse_value, encode_value, "parse_value");
}

}  // namespace pollen::fuzz
