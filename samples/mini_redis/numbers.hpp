#pragma once
// numbers.hpp: numbers as Redis 7 reads and writes them (its util.c), so
// that every command accepts, refuses and prints exactly what redis-server
// does. Pure functions, no state; any thread.
//
//   - parse_ll is string2ll: the canonical decimal form only. No '+', no
//     spaces, no leading zeros, no "-0", at most 20 characters, no overflow.
//     Redis reads every integer argument (and INCR's stored value) with it,
//     so "007" or " 7" is "value is not an integer or out of range".
//   - parse_double / parse_long_double are string2d / string2ld: strtod's
//     syntax ("1e3", "inf", "-inf", hex floats), refusing a leading space,
//     trailing bytes, NaN and out-of-range values.
//   - format_double is RESP2's addReplyDouble ("%.17g"; "inf" and "-inf"),
//     the form of every score in a reply; format_long_double is ld2string's
//     human mode ("%.17Lf" without trailing zeros), INCRBYFLOAT's result.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cctype>
#include <climits>
#include <string>
#include <string_view>

namespace mini_redis::num {

inline bool parse_ll(std::string_view s, long long& out) {
    if (s.empty() || s.size() >= 21) return false;
    if (s.size() == 1 && s[0] == '0') {
        out = 0;
        return true;
    }
    std::size_t i = 0;
    bool negative = s[0] == '-';
    if (negative && ++i == s.size()) return false;
    if (s[i] < '1' || s[i] > '9') return false;
    unsigned long long v = static_cast<unsigned long long>(s[i++] - '0');
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        unsigned d = static_cast<unsigned>(s[i] - '0');
        if (v > ULLONG_MAX / 10 || v * 10 > ULLONG_MAX - d) return false;
        v = v * 10 + d;
    }
    if (negative) {
        if (v > static_cast<unsigned long long>(LLONG_MAX) + 1) return false;
        out = static_cast<long long>(0 - v);
    } else {
        if (v > static_cast<unsigned long long>(LLONG_MAX)) return false;
        out = static_cast<long long>(v);
    }
    return true;
}

inline bool parse_long_double(std::string_view s, long double& out) {
    if (s.empty() || s.size() >= 5 * 1024) return false;  // MAX_LONG_DOUBLE_CHARS
    std::string buf(s);
    if (std::isspace(static_cast<unsigned char>(buf[0]))) return false;
    errno = 0;
    char* end = nullptr;
    long double v = std::strtold(buf.c_str(), &end);
    if (static_cast<std::size_t>(end - buf.c_str()) != buf.size()) return false;  // trailing bytes or an inner NUL
    if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) return false;
    if (errno == EINVAL || std::isnan(v)) return false;
    out = v;
    return true;
}

inline bool parse_double(std::string_view s, double& out) {
    if (s.empty()) return false;
    std::string buf(s);
    if (std::isspace(static_cast<unsigned char>(buf[0]))) return false;
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(buf.c_str(), &end);
    if (static_cast<std::size_t>(end - buf.c_str()) != buf.size()) return false;
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO)) return false;
    if (std::isnan(v)) return false;
    out = v;
    return true;
}

inline std::string format_double(double d) {
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%.17g", d);
    return std::string(buf, static_cast<std::size_t>(n));
}

inline std::string format_long_double(long double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[5 * 1024];
    int n = std::snprintf(buf, sizeof buf, "%.17Lf", v);
    if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buf) return "0";
    std::string out(buf, static_cast<std::size_t>(n));
    if (out.find('.') != std::string::npos) {
        while (out.back() == '0') out.pop_back();
        if (out.back() == '.') out.pop_back();
    }
    if (out == "-0") out = "0";
    return out;
}

}  // namespace mini_redis::num
