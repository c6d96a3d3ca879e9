// http_server's pure pieces behind the HTTP/1.1 validators
// (samples/http_server/http_date.hpp, conditional.hpp): HTTP-dates written
// and read in all three forms, and the choice between 200, 206, 304 and 416
// in RFC 9110's order. The same rules seen through the running server are in
// samples_http_server_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "../samples/http_server/conditional.hpp"
#include "../samples/http_server/http_date.hpp"

using namespace http_server;
using namespace std::chrono;

namespace {

// RFC 9110's example instant: Sun, 06 Nov 1994 08:49:37 GMT.
const SysSeconds kExample = sys_days(1994y / November / 6) + 8h + 49min + 37s;

Validators file(std::uint64_t size = 1000) { return validators_for(kExample, size); }

Preconditions with_range(std::string range) {
    Preconditions p;
    p.range = std::move(range);
    return p;
}

}  // namespace

TEST(HttpDate, WritesImfFixdate) {
    EXPECT_EQ(format_http_date(kExample), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(format_http_date(SysSeconds{}), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(format_http_date(sys_days(2024y / February / 29) + 23h + 59min + 59s), "Thu, 29 Feb 2024 23:59:59 GMT");
    EXPECT_EQ(http_date_now().size(), 29u);
}

TEST(HttpDate, ReadsTheThreeFormsARecipientMustAccept) {
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kExample);
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kExample);  // RFC 850
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kExample);        // asctime
    EXPECT_EQ(parse_http_date("Sun Nov 16 08:49:37 1994"), kExample + days(10));
    for (const char* bad : {"", "yesterday", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
                            "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                            "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun, 06 Foo 1994 08:49:37 GMT",
                            "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994"})
        EXPECT_EQ(parse_http_date(bad), std::nullopt) << bad;
}

TEST(HttpConditional, TheETagIsNginxsMtimeAndSizeInHex) {
    Validators v = file(0x1a2b);
    EXPECT_EQ(v.etag, "\"2ebc98a1-1a2b\"");  // 784111777 s since the epoch, 0x1a2b bytes
    EXPECT_EQ(v.last_modified, "Sun, 06 Nov 1994 08:49:37 GMT");
    // Sub-second precision is dropped: Last-Modified cannot carry it.
    EXPECT_EQ(validators_for(kExample + milliseconds(999), 1).etag, validators_for(kExample, 1).etag);
}

TEST(HttpConditional, IfNoneMatchUsesTheWeakComparisonAndDecidesAlone) {
    Validators v = file();
    EXPECT_TRUE(none_match_fails(v.etag, v.etag));
    EXPECT_TRUE(none_match_fails("W/" + v.etag, v.etag));
    EXPECT_TRUE(none_match_fails("\"a\" , " + v.etag + ",\"b\"", v.etag));
    EXPECT_TRUE(none_match_fails(" * ", v.etag));
    EXPECT_FALSE(none_match_fails("\"a\", \"b\"", v.etag));
    EXPECT_FALSE(none_match_fails("", v.etag));

    Preconditions p;
    p.if_none_match = "\"other\"";
    p.if_modified_since = v.last_modified;  // would give 304 alone
    EXPECT_EQ(select_representation(p, v, true).status, 200);
    p.if_none_match = v.etag;
    p.if_modified_since = "Thu, 01 Jan 1970 00:00:00 GMT";
    EXPECT_EQ(select_representation(p, v, false).status, 304) << "HEAD too";
    p.range = "bytes=0-1";
    EXPECT_EQ(select_representation(p, v, true).status, 304) << "before any range";
}

TEST(HttpConditional, IfModifiedSinceComparesWholeSecondsAndIgnoresWhatIsNotADate) {
    Validators v = file();
    Preconditions p;
    for (auto [since, status] : std::vector<std::pair<std::string, int>>{
             {"Sun, 06 Nov 1994 08:49:37 GMT", 304},
             {"Sun, 06 Nov 1994 08:49:38 GMT", 304},
             {"Sun, 06 Nov 1994 08:49:36 GMT", 200},
             {"Sunday, 06-Nov-94 08:49:37 GMT", 304},
             {"not a date", 200}}) {
        p.if_modified_since = since;
        EXPECT_EQ(select_representation(p, v, true).status, status) << since;
    }
}

TEST(HttpConditional, OneByteRangeIsServedSeveralOrMalformedOnesAreIgnored) {
    Validators v = file(1000);
    auto sel = [&](const std::string& r) { return select_representation(with_range(r), v, true); };
    Selection s = sel("bytes=0-499");
    EXPECT_EQ(s.status, 206);
    EXPECT_EQ(s.first, 0u);
    EXPECT_EQ(s.length, 500u);
    EXPECT_EQ(content_range(s, 1000), "bytes 0-499/1000");
    s = sel("bytes=500-");
    EXPECT_EQ(content_range(s, 1000), "bytes 500-999/1000");
    s = sel("bytes=-1");
    EXPECT_EQ(content_range(s, 1000), "bytes 999-999/1000");
    s = sel("Bytes=990-99999999999999999999999");  // the unit is case-insensitive; a huge end is clipped
    EXPECT_EQ(content_range(s, 1000), "bytes 990-999/1000");
    for (const char* unsatisfiable : {"bytes=1000-", "bytes=1000-2000", "bytes=-0", "bytes=99999999999999999999999-"}) {
        s = sel(unsatisfiable);
        EXPECT_EQ(s.status, 416) << unsatisfiable;
        EXPECT_EQ(content_range(s, 1000), "bytes */1000");
    }
    for (const char* ignored : {"bytes=0-1,3-4", "bytes=5-4", "bytes=", "bytes=-", "bytes=a-b", "items=0-1", "0-1",
                                "bytes=1-2-3", "bytes=--1", "bytes = 0-1"}) {
        s = sel(ignored);
        EXPECT_EQ(s.status, 200) << ignored;
        EXPECT_EQ(s.length, 1000u) << ignored;
    }
    EXPECT_EQ(select_representation(with_range("bytes=0-0"), file(0), true).status, 416) << "an empty file has no byte 0";
    EXPECT_EQ(select_representation(with_range("bytes=0-1"), v, false).status, 200) << "HEAD has no ranges";
}

TEST(HttpConditional, IfRangeKeepsTheRangeOnlyForThisVersion) {
    Validators v = file(1000);
    Preconditions p = with_range("bytes=0-9");
    for (auto [if_range, status] : std::vector<std::pair<std::string, int>>{{v.etag, 206},
                                                                             {"W/" + v.etag, 200},
                                                                             {"\"stale\"", 200},
                                                                             {v.last_modified, 206},
                                                                             {"Sun, 06 Nov 1994 08:49:38 GMT", 200},
                                                                             {"garbage", 200}}) {
        p.if_range = if_range;
        EXPECT_EQ(select_representation(p, v, true).status, status) << if_range;
    }
}
