// List commands (Redis's t_list.c), the blocking ones included: a
// blocking pop that finds every list empty registers a Waiter and leaves
// its reply future in the Session (blocking.hpp).
#include <algorithm>
#include <climits>
#include <cmath>

#include "blocking.hpp"
#include "command_call.hpp"

namespace mini_redis::cmd {

namespace {

List* as_list(Entry& e) { return get_as<List>(e); }

/// Clamps [start, end] (negative = from the end) to the list, Redis's way;
/// false if the range is empty.
bool clamp_range(long long len, long long& start, long long& end) {
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return false;
    if (end >= len) end = len - 1;
    return true;
}

/// Deletes `key` if its list became empty, as Redis never keeps an empty aggregate.
void drop_if_empty(Call& c, const std::string& key, const List& list) {
    if (list.empty()) c.db.erase(c.db.find(key));
}

}  // namespace

void push(Call& c) {
    bool left = c.name[0] == 'l';
    bool only_existing = c.name.back() == 'x';
    const std::string& key = c.args[1];
    auto it = c.db.find(key);
    if (it != c.db.end() && it->second.type() != Type::List) return c.wrong_type();
    if (it == c.db.end()) {
        if (only_existing) return c.integer(0);
        it = c.db.insert(key, std::make_unique<List>());
    }
    List& list = *as_list(it->second);
    for (std::size_t i = 2; i < c.args.size(); ++i) {
        if (left) list.push_front(std::move(c.args[i]));
        else list.push_back(std::move(c.args[i]));
    }
    c.integer(static_cast<std::int64_t>(list.size()));
    c.db.touch(key);
}

void pop(Call& c) {
    End end = c.name[0] == 'l' ? End::Left : End::Right;
    bool has_count = c.args.size() == 3;
    if (c.args.size() > 3) return c.arity_error();
    long long count = 0;
    if (has_count) {
        if (!c.arg_count(2, count)) return;
    }
    const std::string& key = c.args[1];
    auto it = c.db.find(key);
    if (it == c.db.end()) return c.reply(has_count ? resp::null_array() : resp::null());
    List* list = as_list(it->second);
    if (!list) return c.wrong_type();
    if (has_count && count == 0) return c.reply(resp::array({}));
    if (!has_count) {
        c.reply(resp::bulk(list_pop(*list, end)));
    } else {
        std::vector<resp::Value> out;
        auto n = std::min<std::size_t>(static_cast<std::size_t>(count), list->size());
        out.reserve(n);
        for (std::size_t i = 0; i < n; ++i) out.push_back(resp::bulk(list_pop(*list, end)));
        c.reply(resp::array(std::move(out)));
    }
    if (list->empty()) c.db.erase(it);
    c.db.touch(key);
}

void lrange(Call& c) {
    long long start = 0, end = 0;
    if (!c.arg_ll(2, start) || !c.arg_ll(3, end)) return;
    bool wrong = false;
    List* list = c.lookup<List>(1, wrong);
    if (wrong) return;
    if (!list || !clamp_range(static_cast<long long>(list->size()), start, end)) return c.reply(resp::array({}));
    std::string out;
    resp::append_bulk_array(out, list->begin() + start, static_cast<std::size_t>(end - start + 1));
    c.reply(resp::encoded(std::move(out)));
}

void llen(Call& c) {
    bool wrong = false;
    List* list = c.lookup<List>(1, wrong);
    if (!wrong) c.integer(list ? static_cast<std::int64_t>(list->size()) : 0);
}

namespace {

/// A list index (negative = from the end) into [0, size), if it is one.
bool list_index(const List& list, long long i, std::size_t& out) {
    auto len = static_cast<long long>(list.size());
    if (i < 0) i += len;
    if (i < 0 || i >= len) return false;
    out = static_cast<std::size_t>(i);
    return true;
}

}  // namespace

void lindex(Call& c) {
    bool wrong = false;
    List* list = c.lookup<List>(1, wrong);
    if (wrong) return;
    if (!list) return c.null();
    long long i = 0;
    if (!c.arg_ll(2, i)) return;
    std::size_t at = 0;
    c.reply(list_index(*list, i, at) ? resp::bulk((*list)[at]) : resp::null());
}

void lset(Call& c) {
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end()) return c.error("ERR no such key");
    List* list = as_list(it->second);
    if (!list) return c.wrong_type();
    long long i = 0;
    if (!c.arg_ll(2, i)) return;
    std::size_t at = 0;
    if (!list_index(*list, i, at)) return c.error("ERR index out of range");
    (*list)[at] = std::move(c.args[3]);
    c.ok();
    c.db.touch(c.args[1]);
}

void lrem(Call& c) {
    long long count = 0;
    if (!c.arg_ll(2, count)) return;
    bool wrong = false;
    List* list = c.lookup<List>(1, wrong);
    if (wrong) return;
    if (!list) return c.integer(0);
    const std::string& value = c.args[3];
    // How many to remove: all for 0, else |count| (LLONG_MIN included).
    std::size_t limit = count == 0  ? list->size()
                        : count < 0 ? static_cast<std::size_t>(-(count + 1)) + 1
                                    : static_cast<std::size_t>(count);
    std::size_t removed = 0;
    if (count >= 0) {
        for (auto it = list->begin(); it != list->end() && removed < limit;) {
            if (*it == value) {
                it = list->erase(it);
                ++removed;
            } else {
                ++it;
            }
        }
    } else {
        for (auto i = list->size(); i-- > 0 && removed < limit;) {
            if ((*list)[i] == value) {
                list->erase(list->begin() + static_cast<std::ptrdiff_t>(i));
                ++removed;
            }
        }
    }
    if (removed) c.db.touch(c.args[1]);
    drop_if_empty(c, c.args[1], *list);
    c.integer(static_cast<std::int64_t>(removed));
}

void ltrim(Call& c) {
    long long start = 0, end = 0;
    if (!c.arg_ll(2, start) || !c.arg_ll(3, end)) return;
    bool wrong = false;
    List* list = c.lookup<List>(1, wrong);
    if (wrong) return;
    if (!list) return c.ok();
    auto len = static_cast<long long>(list->size());
    if (!clamp_range(len, start, end)) {
        list->clear();
    } else {
        list->erase(list->begin() + static_cast<std::ptrdiff_t>(end + 1), list->end());
        list->erase(list->begin(), list->begin() + static_cast<std::ptrdiff_t>(start));
    }
    drop_if_empty(c, c.args[1], *list);
    c.db.touch(c.args[1]);
    c.ok();
}

void linsert(Call& c) {
    bool after = equals_ci(c.args[2], "after");
    if (!after && !equals_ci(c.args[2], "before")) return c.syntax_error();
    bool wrong = false;
    List* list = c.lookup<List>(1, wrong);
    if (wrong) return;
    if (!list) return c.integer(0);
    auto pivot = std::find(list->begin(), list->end(), c.args[3]);
    if (pivot == list->end()) return c.integer(-1);
    list->insert(after ? pivot + 1 : pivot, std::move(c.args[4]));
    c.db.touch(c.args[1]);
    c.integer(static_cast<std::int64_t>(list->size()));
}

namespace {

bool parse_end(Call& c, std::size_t i, End& out) {
    if (equals_ci(c.args[i], "left")) out = End::Left;
    else if (equals_ci(c.args[i], "right")) out = End::Right;
    else {
        c.syntax_error();
        return false;
    }
    return true;
}

/// Redis's lmoveGenericCommand: the popped value, or nil if `from` is missing.
void lmove_generic(Call& c, const std::string& from, const std::string& to, End where_from, End where_to) {
    auto src = c.db.find(from);
    if (src == c.db.end()) return c.null();
    List* list = as_list(src->second);
    if (!list) return c.wrong_type();
    auto dst = c.db.find(to);
    if (dst != c.db.end() && dst->second.type() != Type::List) return c.wrong_type();
    std::string value = list_pop(*list, where_from);
    c.reply(resp::bulk(value));
    list_push(c.db, dst, to, std::move(value), where_to);  // may rehash: `src` is stale after it
    drop_if_empty(c, from, *list);
    c.db.touch(from);
}

}  // namespace

void lmove(Call& c) {
    End from = End::Left, to = End::Left;
    if (!parse_end(c, 3, from) || !parse_end(c, 4, to)) return;
    lmove_generic(c, c.args[1], c.args[2], from, to);
}

void rpoplpush(Call& c) { lmove_generic(c, c.args[1], c.args[2], End::Right, End::Left); }

namespace {

/// Redis's getTimeoutFromObjectOrReply for seconds: a float, rounded up to
/// whole milliseconds; 0 waits forever.
bool parse_timeout(Call& c, std::size_t i, std::int64_t& ms) {
    long double t = 0;
    if (!num::parse_long_double(c.args[i], t)) {
        c.error("ERR timeout is not a float or out of range");
        return false;
    }
    long double v = std::ceil(t * 1000.0L);
    // Past the range of a long long, Redis's conversion gives LLONG_MIN.
    if (!(v < 9.2233720368547758e18L) || v < 0) {
        c.error("ERR timeout is negative");
        return false;
    }
    ms = static_cast<std::int64_t>(v);
    return true;
}

/// Registers `w` and leaves the connection waiting for its reply.
void block(Call& c, std::shared_ptr<Waiter> w, std::int64_t timeout_ms) {
    auto [tx, rx] = pollen::oneshot::channel<resp::Value>();
    w->reply = std::move(tx);
    c.db.block(w);
    c.session.blocked.emplace(BlockedWait(c.state.db, std::move(w), std::move(rx), timeout_ms));
}

}  // namespace

void blocking_pop(Call& c) {
    End end = c.name == "blpop" ? End::Left : End::Right;
    std::int64_t timeout = 0;
    if (!parse_timeout(c, c.args.size() - 1, timeout)) return;
    for (std::size_t i = 1; i + 1 < c.args.size(); ++i) {
        const std::string& key = c.args[i];
        auto it = c.db.find(key);
        if (it == c.db.end()) continue;
        List* list = as_list(it->second);
        if (!list) return c.wrong_type();
        c.reply(resp::array({resp::bulk(key), resp::bulk(list_pop(*list, end))}));
        if (list->empty()) c.db.erase(it);
        c.db.touch(key);
        return;
    }
    if (c.in_exec) return c.reply(resp::null_array());
    auto w = std::make_shared<Waiter>();
    w->keys.assign(c.args.begin() + 1, c.args.end() - 1);
    w->from = end;
    block(c, std::move(w), timeout);
}

namespace {

/// BLMOVE and BRPOPLPUSH (Redis's blmoveGenericCommand).
void blocking_move(Call& c, End from, End to, std::int64_t timeout) {
    auto it = c.db.find(c.args[1]);
    if (it != c.db.end() && it->second.type() != Type::List) return c.wrong_type();
    if (it != c.db.end()) return lmove_generic(c, c.args[1], c.args[2], from, to);
    if (c.in_exec) return c.null();
    auto w = std::make_shared<Waiter>();
    w->keys.push_back(c.args[1]);
    w->from = from;
    w->dest = c.args[2];
    w->to = to;
    block(c, std::move(w), timeout);
}

}  // namespace

void blmove(Call& c) {
    End from = End::Left, to = End::Left;
    std::int64_t timeout = 0;
    if (!parse_end(c, 3, from) || !parse_end(c, 4, to) || !parse_timeout(c, 5, timeout)) return;
    blocking_move(c, from, to, timeout);
}

void brpoplpush(Call& c) {
    std::int64_t timeout = 0;
    if (!parse_timeout(c, 3, timeout)) return;
    blocking_move(c, End::Right, End::Left, timeout);
}

}  // namespace mini_redis::cmd
