// http_date: formatting through std::chrono's calendar types (no locale, no
// time zone database: HTTP dates are always GMT), parsing by hand.
#include "http_date.hpp"

#include <array>
#include <cstdio>

namespace http_server {

namespace {

namespace chr = std::chrono;

constexpr std::array<std::string_view, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                     "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/// Reads what the grammar expects, front to back, failing for good at the first mismatch.
struct Reader {
    std::string_view s;
    bool ok = true;

    void lit(std::string_view l) {
        if (ok && s.substr(0, l.size()) == l) s.remove_prefix(l.size());
        else ok = false;
    }
    /// Exactly `n` digits.
    int digits(std::size_t n) {
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!ok || s.empty() || s.front() < '0' || s.front() > '9') {
                ok = false;
                return 0;
            }
            v = v * 10 + (s.front() - '0');
            s.remove_prefix(1);
        }
        return v;
    }
    /// One of `names`; its index.
    template <std::size_t N>
    int one_of(const std::array<std::string_view, N>& names) {
        for (std::size_t i = 0; ok && i < N; ++i) {
            if (s.substr(0, names[i].size()) == names[i]) {
                s.remove_prefix(names[i].size());
                return static_cast<int>(i);
            }
        }
        ok = false;
        return 0;
    }
};

std::optional<SysSeconds> make(int year, int month, int day, int h, int m, int sec) {
    chr::year_month_day ymd{chr::year(year), chr::month(unsigned(month + 1)), chr::day(unsigned(day))};
    // A leap second (60) is allowed by the grammar; it is read as the next second.
    if (!ymd.ok() || h > 23 || m > 59 || sec > 60) return std::nullopt;
    return SysSeconds(chr::sys_days(ymd)) + chr::hours(h) + chr::minutes(m) + chr::seconds(sec);
}

/// The time of day, "08:49:37".
void time_of_day(Reader& r, int& h, int& m, int& sec) {
    h = r.digits(2);
    r.lit(":");
    m = r.digits(2);
    r.lit(":");
    sec = r.digits(2);
}

}  // namespace

std::string format_http_date(SysSeconds t) {
    chr::sys_days day = chr::floor<chr::days>(t);
    chr::year_month_day ymd(day);
    chr::hh_mm_ss hms(t - day);
    char out[32];
    std::snprintf(out, sizeof out, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                  kDays[chr::weekday(day).c_encoding()].data(), unsigned(ymd.day()),
                  kMonths[unsigned(ymd.month()) - 1].data(), int(ymd.year()), int(hms.hours().count()),
                  int(hms.minutes().count()), int(hms.seconds().count()));
    return out;
}

std::optional<SysSeconds> parse_http_date(std::string_view s) {
    int h = 0, m = 0, sec = 0;
    if (s.size() == 29) {  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        Reader r{s};
        r.one_of(kDays);
        r.lit(", ");
        int day = r.digits(2);
        r.lit(" ");
        int month = r.one_of(kMonths);
        r.lit(" ");
        int year = r.digits(4);
        r.lit(" ");
        time_of_day(r, h, m, sec);
        r.lit(" GMT");
        if (r.ok && r.s.empty()) return make(year, month, day, h, m, sec);
    }
    if (s.size() == 24) {  // asctime: "Sun Nov  6 08:49:37 1994" (the day padded with a space)
        Reader r{s};
        r.one_of(kDays);
        r.lit(" ");
        int month = r.one_of(kMonths);
        r.lit(" ");
        int day = 0;
        if (r.ok && !r.s.empty() && r.s.front() == ' ') {
            r.s.remove_prefix(1);
            day = r.digits(1);
        } else {
            day = r.digits(2);
        }
        r.lit(" ");
        time_of_day(r, h, m, sec);
        r.lit(" ");
        int year = r.digits(4);
        if (r.ok && r.s.empty()) return make(year, month, day, h, m, sec);
    }
    {  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
        Reader r{s};
        r.one_of(kLongDays);
        r.lit(", ");
        int day = r.digits(2);
        r.lit("-");
        int month = r.one_of(kMonths);
        r.lit("-");
        int yy = r.digits(2);
        r.lit(" ");
        time_of_day(r, h, m, sec);
        r.lit(" GMT");
        if (!r.ok || !r.s.empty()) return std::nullopt;
        // A two-digit year more than 50 years ahead is the last century's (RFC 9110 5.6.7).
        int this_year = int(chr::year_month_day(chr::floor<chr::days>(chr::system_clock::now())).year());
        int year = this_year / 100 * 100 + yy;
        if (year > this_year + 50) year -= 100;
        return make(year, month, day, h, m, sec);
    }
}

const std::string& http_date_now() {
    thread_local SysSeconds cached_at{};
    thread_local std::string cached;
    SysSeconds now = chr::floor<chr::seconds>(chr::system_clock::now());
    if (cached.empty() || now != cached_at) {
        cached_at = now;
        cached = format_http_date(now);
    }
    return cached;
}

}  // namespace http_server
