// The pure pieces under mini_redis's commands, on their own: numbers as
// Redis reads and prints them (samples/mini_redis/numbers.hpp), its glob
// matching (glob.hpp), and the orders in which its hashes, sets and sorted
// sets answer (hash_type.hpp, set_type.hpp, zset_type.hpp), which are the
// orders redis-server's compact encodings answer in. The commands
// themselves are compared with a real redis-server in
// samples_mini_redis_commands_test.cpp.
#include "../samples/mini_redis/glob.hpp"
#include "../samples/mini_redis/hash_type.hpp"
#include "../samples/mini_redis/numbers.hpp"
#include "../samples/mini_redis/set_type.hpp"
#include "../samples/mini_redis/zset_type.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

TEST(MiniRedisNumbers, IntegersAreReadInRedisCanonicalFormOnly) {
    long long v = 0;
    for (const char* ok : {"0", "7", "-7", "9223372036854775807", "-9223372036854775808"}) {
        EXPECT_TRUE(mini_redis::num::parse_ll(ok, v)) << ok;
    }
    EXPECT_TRUE(mini_redis::num::parse_ll("-9223372036854775808", v));
    EXPECT_EQ(v, INT64_MIN);
    for (const char* bad : {"", "007", "+5", " 5", "5 ", "-0", "-", "1e3", "9223372036854775808",
                            "-9223372036854775809", "00", "0x10", "123456789012345678901"}) {
        EXPECT_FALSE(mini_redis::num::parse_ll(bad, v)) << bad;
    }
}

TEST(MiniRedisNumbers, FloatsParseAndPrintAsRedisDoes) {
    long double ld = 0;
    EXPECT_TRUE(mini_redis::num::parse_long_double("1e3", ld));
    EXPECT_TRUE(mini_redis::num::parse_long_double("-inf", ld));
    for (const char* bad : {"", " 1", "1 ", "nan", "abc", "1e99999"}) {
        EXPECT_FALSE(mini_redis::num::parse_long_double(bad, ld)) << bad;
    }
    EXPECT_EQ(mini_redis::num::format_long_double(10.5L + 0.1L), "10.6");
    EXPECT_EQ(mini_redis::num::format_long_double(3.0L), "3");
    EXPECT_EQ(mini_redis::num::format_long_double(-0.0L), "0");
    EXPECT_EQ(mini_redis::num::format_double(1.1), "1.1000000000000001");
    EXPECT_EQ(mini_redis::num::format_double(-1.0 / 0.0), "-inf");
    EXPECT_EQ(mini_redis::num::format_double(3), "3");
}

TEST(MiniRedisGlob, MatchesAsRedisStringmatchlen) {
    using mini_redis::glob_match;
    EXPECT_TRUE(glob_match("h?llo", "hello"));
    EXPECT_TRUE(glob_match("h*llo", "hllo"));
    EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
    EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
    EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
    EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
    EXPECT_TRUE(glob_match("h[b-a]llo", "hallo"));  // a range in either order
    EXPECT_TRUE(glob_match("a\\*b", "a*b"));
    EXPECT_FALSE(glob_match("a\\*b", "axb"));
    EXPECT_FALSE(glob_match("*", ""));  // Redis's too (KEYS * and MATCH * skip the match)
    EXPECT_FALSE(glob_match("?", ""));
    EXPECT_TRUE(glob_match("a[bc", "ab"));  // an unclosed set runs to the end, as in Redis
    EXPECT_TRUE(glob_match("SAVE", "save", true));
    EXPECT_FALSE(glob_match("SAVE", "save"));
    std::string many_a(60, 'a');
    EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", many_a));  // fails fast, not in exponential time
    many_a.push_back('b');
    EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a*b", many_a));
}

TEST(MiniRedisTypes, AHashKeepsItsFieldsInInsertionOrder) {
    mini_redis::Hash h;
    EXPECT_TRUE(h.set("b", "1"));
    EXPECT_TRUE(h.set("a", "2"));
    EXPECT_TRUE(h.set("c", "3"));
    EXPECT_FALSE(h.set("a", "4"));  // replaced in place
    EXPECT_TRUE(h.erase("b"));
    EXPECT_TRUE(h.set("b", "5"));  // new again: last
    std::vector<std::string> order;
    for (const auto& [f, v] : h.items()) order.push_back(f + "=" + v);
    EXPECT_EQ(order, (std::vector<std::string>{"a=4", "c=3", "b=5"}));
}

TEST(MiniRedisTypes, AnIntegerSetListsInNumericOrderUntilItHoldsAnythingElse) {
    mini_redis::Set s;
    for (const char* m : {"10", "-5", "3", "1"}) s.insert(m);
    ASSERT_TRUE(s.intset());
    std::vector<std::string> order;
    for (const std::string* m : s.members()) order.push_back(*m);
    EXPECT_EQ(order, (std::vector<std::string>{"-5", "1", "3", "10"}));
    s.insert("007");  // not canonical: a string
    EXPECT_FALSE(s.intset());
    s.erase("007");
    EXPECT_FALSE(s.intset());  // for good, as Redis's conversion
    mini_redis::Set big;
    for (int i = 0; i < 513; ++i) big.insert(std::to_string(i));
    EXPECT_FALSE(big.intset());

    std::mt19937_64 rng(1);
    std::set<std::string> popped;
    while (!s.empty()) popped.insert(s.pop(rng));
    EXPECT_EQ(popped, (std::set<std::string>{"-5", "1", "3", "10"}));
}

TEST(MiniRedisTypes, ASortedSetOrdersByScoreThenBytes) {
    mini_redis::ZSet z;
    z.set("b", 1);
    z.set("a", 1);
    z.set("\xff", 0.5);  // bytes compare unsigned, as memcmp
    z.set("c", -0.0);
    std::vector<std::string> order;
    for (const auto& [score, m] : z.order()) order.push_back(std::string(m));
    EXPECT_EQ(order, (std::vector<std::string>{"c", "\xff", "a", "b"}));
    EXPECT_FALSE(std::signbit(*z.score("c")));  // -0 is kept as 0, as Redis's listpack does
    EXPECT_EQ(z.rank("a"), std::optional<std::size_t>(2));
    EXPECT_EQ(std::string(z.nth(3)->second), "b");
    z.set("a", 5);
    EXPECT_EQ(z.rank("a"), std::optional<std::size_t>(3));
    EXPECT_TRUE(z.erase("a"));
    EXPECT_FALSE(z.erase("a"));
    EXPECT_EQ(z.size(), 3u);
}
