// Sorted set commands (Redis's t_zset.c): ZADD and ZINCRBY, scores and
// ranks, ranges by rank and by score, pops. Scores print as Redis's RESP2
// replies print them ("%.17g", "inf", "-inf").
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "command_call.hpp"

namespace mini_redis::cmd {

namespace {

resp::Value score_reply(double d) { return resp::bulk(num::format_double(d)); }

/// ZADD and ZINCRBY (Redis's zaddGenericCommand).
void zadd_generic(Call& c, bool incr) {
    bool nx = false, xx = false, ch = false, gt = false, lt = false;
    std::size_t idx = 2;
    for (; idx < c.args.size(); ++idx) {
        std::string opt = lower(c.args[idx]);
        if (opt == "nx") nx = true;
        else if (opt == "xx") xx = true;
        else if (opt == "ch") ch = true;
        else if (opt == "incr") incr = true;
        else if (opt == "gt") gt = true;
        else if (opt == "lt") lt = true;
        else break;
    }
    std::size_t elements = c.args.size() - idx;
    if (elements % 2 || !elements) return c.syntax_error();
    elements /= 2;
    if (nx && xx) return c.error("ERR XX and NX options at the same time are not compatible");
    if ((gt && nx) || (lt && nx) || (gt && lt))
        return c.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    if (incr && elements > 1) return c.error("ERR INCR option supports a single increment-element pair");
    std::vector<double> scores(elements);
    for (std::size_t j = 0; j < elements; ++j) {
        if (!c.arg_double(idx + 2 * j, scores[j])) return;
    }

    const std::string& key = c.args[1];
    auto it = c.db.find(key);
    if (it != c.db.end() && it->second.type() != Type::ZSet) return c.wrong_type();
    std::int64_t added = 0, updated = 0, processed = 0;
    double score = 0;
    if (it != c.db.end() || !xx) {
        if (it == c.db.end()) it = c.db.insert(key, std::make_unique<ZSet>());
        ZSet& z = *get_as<ZSet>(it->second);
        for (std::size_t j = 0; j < elements; ++j) {
            score = scores[j];
            const std::string& member = c.args[idx + 2 * j + 1];
            if (const double* cur = z.score(member)) {
                if (nx) continue;
                if (incr) {
                    score += *cur;
                    if (std::isnan(score)) {
                        c.error("ERR resulting score is not a number (NaN)");
                        if (added || updated) c.db.touch(key);
                        return;
                    }
                }
                if ((lt && score >= *cur) || (gt && score <= *cur)) continue;
                if (score != *cur) {
                    z.set(member, score);
                    ++updated;
                }
                ++processed;
            } else if (!xx) {
                z.set(member, score);
                ++added;
                ++processed;
            }
        }
    }
    if (incr) c.reply(processed ? score_reply(score) : resp::null());
    else c.integer(ch ? added + updated : added);
    if (added || updated) c.db.touch(key);
}

}  // namespace

void zadd(Call& c) { zadd_generic(c, false); }
void zincrby(Call& c) { zadd_generic(c, true); }

void zscore(Call& c) {
    bool wrong = false;
    ZSet* z = c.lookup<ZSet>(1, wrong);
    if (wrong) return;
    const double* s = z ? z->score(c.args[2]) : nullptr;
    c.reply(s ? score_reply(*s) : resp::null());
}

void zmscore(Call& c) {
    bool wrong = false;
    ZSet* z = c.lookup<ZSet>(1, wrong);
    if (wrong) return;
    std::vector<resp::Value> out;
    for (std::size_t i = 2; i < c.args.size(); ++i) {
        const double* s = z ? z->score(c.args[i]) : nullptr;
        out.push_back(s ? score_reply(*s) : resp::null());
    }
    c.reply(resp::array(std::move(out)));
}

void zcard(Call& c) {
    bool wrong = false;
    ZSet* z = c.lookup<ZSet>(1, wrong);
    if (!wrong) c.integer(z ? static_cast<std::int64_t>(z->size()) : 0);
}

void zrank(Call& c) {
    bool wrong = false;
    ZSet* z = c.lookup<ZSet>(1, wrong);
    if (wrong) return;
    auto rank = z ? z->rank(c.args[2]) : std::nullopt;
    if (!rank) return c.null();
    c.integer(static_cast<std::int64_t>(c.name == "zrank" ? *rank : z->size() - 1 - *rank));
}

void zrem(Call& c) {
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end()) return c.integer(0);
    ZSet* z = get_as<ZSet>(it->second);
    if (!z) return c.wrong_type();
    std::int64_t deleted = 0;
    for (std::size_t i = 2; i < c.args.size() && !z->empty(); ++i) deleted += z->erase(c.args[i]);
    if (z->empty()) c.db.erase(it);
    if (deleted) c.db.touch(c.args[1]);
    c.integer(deleted);
}

namespace {

/// A ZRANGEBYSCORE bound (Redis's zslParseRange): strtod's syntax, "(" for
/// an open end, NaN refused.
struct Bound {
    double value = 0;
    bool open = false;
};

bool parse_bound(const std::string& s, Bound& b) {
    const char* p = s.c_str();
    b.open = *p == '(';
    if (b.open) ++p;
    char* end = nullptr;
    b.value = std::strtod(p, &end);
    return *end == '\0' && !std::isnan(b.value);
}

bool above_min(double v, const Bound& min) { return min.open ? v > min.value : v >= min.value; }
bool below_max(double v, const Bound& max) { return max.open ? v < max.value : v <= max.value; }

void emit(std::vector<resp::Value>& out, const ZSet::Order::value_type& e, bool withscores) {
    out.push_back(resp::bulk(std::string(e.second)));
    if (withscores) out.push_back(score_reply(e.first));
}

enum class RangeBy { Auto, Rank, Score };

/// ZRANGE, ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE (Redis's
/// zrangeGenericCommand, without BYLEX).
void zrange_generic(Call& c, RangeBy by, std::optional<bool> reverse_fixed) {
    bool withscores = false, reverse = reverse_fixed.value_or(false);
    long long offset = 0, limit = -1;
    for (std::size_t j = 4; j < c.args.size(); ++j) {
        std::size_t left = c.args.size() - j - 1;
        if (equals_ci(c.args[j], "withscores")) {
            withscores = true;
        } else if (equals_ci(c.args[j], "limit") && left >= 2) {
            if (!c.arg_ll(j + 1, offset) || !c.arg_ll(j + 2, limit)) return;
            j += 2;
        } else if (!reverse_fixed && equals_ci(c.args[j], "rev")) {
            reverse = true;
        } else if (by == RangeBy::Auto && equals_ci(c.args[j], "byscore")) {
            by = RangeBy::Score;
        } else {
            return c.syntax_error();
        }
    }
    if (by == RangeBy::Auto) by = RangeBy::Rank;
    if (limit != -1 && by == RangeBy::Rank)
        return c.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");

    long long start = 0, stop = 0;
    Bound min, max;
    if (by == RangeBy::Rank) {
        if (!c.arg_ll(2, start) || !c.arg_ll(3, stop)) return;
    } else {
        // Reversed, the range is given as max then min.
        if (!parse_bound(c.args[reverse ? 3 : 2], min) || !parse_bound(c.args[reverse ? 2 : 3], max))
            return c.error("ERR min or max is not a float");
    }
    bool wrong = false;
    ZSet* z = c.lookup<ZSet>(1, wrong);
    if (wrong) return;
    std::vector<resp::Value> out;
    if (!z) return c.reply(resp::array({}));
    auto len = static_cast<long long>(z->size());
    if (by == RangeBy::Rank) {
        if (start < 0) start += len;
        if (stop < 0) stop += len;
        if (start < 0) start = 0;
        if (start > stop || start >= len) return c.reply(resp::array({}));
        if (stop >= len) stop = len - 1;
        std::size_t n = static_cast<std::size_t>(stop - start + 1);
        out.reserve(n * (withscores ? 2 : 1));
        if (!reverse) {
            auto it = z->nth(static_cast<std::size_t>(start));
            for (std::size_t i = 0; i < n; ++i, ++it) emit(out, *it, withscores);
        } else {
            auto it = z->nth(static_cast<std::size_t>(len - 1 - start));
            for (std::size_t i = 0; i < n; ++i, --it) {
                emit(out, *it, withscores);
                if (it == z->order().begin()) break;
            }
        }
        return c.reply(resp::array(std::move(out)));
    }
    // A negative offset skips everything in Redis (its `while (offset--)`).
    if (offset < 0 || (offset > 0 && offset >= len)) return c.reply(resp::array({}));
    const auto& order = z->order();
    if (!reverse) {
        auto it = std::find_if(order.begin(), order.end(), [&](const auto& e) { return above_min(e.first, min); });
        for (; it != order.end() && offset > 0; ++it) --offset;
        for (; it != order.end() && limit-- != 0 && below_max(it->first, max); ++it) emit(out, *it, withscores);
    } else {
        auto it = std::find_if(order.rbegin(), order.rend(), [&](const auto& e) { return below_max(e.first, max); });
        for (; it != order.rend() && offset > 0; ++it) --offset;
        for (; it != order.rend() && limit-- != 0 && above_min(it->first, min); ++it) emit(out, *it, withscores);
    }
    c.reply(resp::array(std::move(out)));
}

}  // namespace

void zrange(Call& c) { zrange_generic(c, RangeBy::Auto, std::nullopt); }
void zrevrange(Call& c) { zrange_generic(c, RangeBy::Rank, true); }
void zrangebyscore(Call& c) { zrange_generic(c, RangeBy::Score, c.name == "zrevrangebyscore"); }

void zcount(Call& c) {
    Bound min, max;
    if (!parse_bound(c.args[2], min) || !parse_bound(c.args[3], max)) return c.error("ERR min or max is not a float");
    bool wrong = false;
    ZSet* z = c.lookup<ZSet>(1, wrong);
    if (wrong) return;
    std::int64_t n = 0;
    if (z) {
        for (const auto& e : z->order()) {
            if (!below_max(e.first, max)) break;
            n += above_min(e.first, min);
        }
    }
    c.integer(n);
}

/// ZPOPMIN, ZPOPMAX (Redis's genericZpopCommand, RESP2: a flat array).
void zpop(Call& c) {
    if (c.args.size() > 3) return c.syntax_error();
    long long count = -1;
    if (c.args.size() == 3) {
        if (!c.arg_count(2, count)) return;
    }
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end()) return c.reply(resp::array({}));
    ZSet* z = get_as<ZSet>(it->second);
    if (!z) return c.wrong_type();
    if (count == 0) return c.reply(resp::array({}));
    if (count == -1) count = 1;
    bool max = c.name == "zpopmax";
    std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(count), z->size());
    std::vector<resp::Value> out;
    out.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        auto e = max ? std::prev(z->order().end()) : z->order().begin();
        std::string member(e->second);
        double score = e->first;
        z->erase(member);
        out.push_back(resp::bulk(std::move(member)));
        out.push_back(score_reply(score));
    }
    c.reply(resp::array(std::move(out)));
    if (z->empty()) c.db.erase(it);
    c.db.touch(c.args[1]);
}

}  // namespace mini_redis::cmd
