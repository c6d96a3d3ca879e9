// Set commands (Redis's t_set.c). SMEMBERS of an integer set answers in
// numeric order, as Redis's intset does (see set_type.hpp).
#include <climits>

#include "command_call.hpp"

namespace mini_redis::cmd {

void sadd(Call& c) {
    const std::string& key = c.args[1];
    auto it = c.db.find(key);
    if (it == c.db.end()) it = c.db.insert(key, std::make_unique<Set>());
    Set* s = get_as<Set>(it->second);
    if (!s) return c.wrong_type();
    std::int64_t added = 0;
    for (std::size_t i = 2; i < c.args.size(); ++i) added += s->insert(std::move(c.args[i]));
    if (added) c.db.touch(key);
    c.integer(added);
}

void srem(Call& c) {
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end()) return c.integer(0);
    Set* s = get_as<Set>(it->second);
    if (!s) return c.wrong_type();
    std::int64_t removed = 0;
    for (std::size_t i = 2; i < c.args.size() && !s->empty(); ++i) removed += s->erase(c.args[i]);
    if (s->empty()) c.db.erase(it);
    if (removed) c.db.touch(c.args[1]);
    c.integer(removed);
}

namespace {

resp::Value members_reply(const Set& s) {
    std::vector<resp::Value> out;
    out.reserve(s.size());
    for (const std::string* m : s.members()) out.push_back(resp::bulk(*m));
    return resp::array(std::move(out));
}

}  // namespace

void smembers(Call& c) {
    bool wrong = false;
    Set* s = c.lookup<Set>(1, wrong);
    if (!wrong) c.reply(s ? members_reply(*s) : resp::array({}));
}

void sismember(Call& c) {
    bool wrong = false;
    Set* s = c.lookup<Set>(1, wrong);
    if (!wrong) c.integer(s && s->contains(c.args[2]) ? 1 : 0);
}

void smismember(Call& c) {
    bool wrong = false;
    Set* s = c.lookup<Set>(1, wrong);
    if (wrong) return;
    std::vector<resp::Value> out;
    for (std::size_t i = 2; i < c.args.size(); ++i) out.push_back(resp::integer(s && s->contains(c.args[i]) ? 1 : 0));
    c.reply(resp::array(std::move(out)));
}

void scard(Call& c) {
    bool wrong = false;
    Set* s = c.lookup<Set>(1, wrong);
    if (!wrong) c.integer(s ? static_cast<std::int64_t>(s->size()) : 0);
}

void spop(Call& c) {
    if (c.args.size() > 3) return c.syntax_error();
    bool has_count = c.args.size() == 3;
    long long count = 1;
    if (has_count) {
        if (!c.arg_count(2, count)) return;
    }
    const std::string& key = c.args[1];
    auto it = c.db.find(key);
    if (it == c.db.end()) return c.reply(has_count ? resp::array({}) : resp::null());
    Set* s = get_as<Set>(it->second);
    if (!s) return c.wrong_type();
    if (!has_count) {
        c.reply(resp::bulk(s->pop(c.db.rng())));
    } else if (count == 0) {
        return c.reply(resp::array({}));
    } else if (static_cast<unsigned long long>(count) >= s->size()) {
        c.reply(members_reply(*s));
        s->clear();
    } else {
        std::vector<resp::Value> out;
        for (long long i = 0; i < count; ++i) out.push_back(resp::bulk(s->pop(c.db.rng())));
        c.reply(resp::array(std::move(out)));
    }
    if (s->empty()) c.db.erase(it);
    c.db.touch(key);
}

void srandmember(Call& c) {
    if (c.args.size() > 3) return c.syntax_error();
    bool has_count = c.args.size() == 3;
    long long count = 1;
    if (has_count) {
        if (!c.arg_ll(2, count)) return;
        if (count < -LLONG_MAX)
            return c.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    }
    bool wrong = false;
    Set* s = c.lookup<Set>(1, wrong);
    if (wrong) return;
    if (!s) return c.reply(has_count ? resp::array({}) : resp::null());
    if (!has_count) return c.reply(resp::bulk(s->random(c.db.rng())));
    std::vector<resp::Value> out;
    if (count < 0) {  // with repetitions
        for (long long i = 0; i < -count; ++i) out.push_back(resp::bulk(s->random(c.db.rng())));
    } else if (static_cast<unsigned long long>(count) >= s->size()) {
        return c.reply(members_reply(*s));
    } else {
        // Distinct members: a partial shuffle of the member list.
        auto members = s->members();
        for (long long i = 0; i < count; ++i) {
            auto j = std::uniform_int_distribution<std::size_t>(static_cast<std::size_t>(i), members.size() - 1)(
                c.db.rng());
            std::swap(members[static_cast<std::size_t>(i)], members[j]);
            out.push_back(resp::bulk(*members[static_cast<std::size_t>(i)]));
        }
    }
    c.reply(resp::array(std::move(out)));
}

void smove(Call& c) {
    const std::string& from = c.args[1];
    const std::string& to = c.args[2];
    auto src = c.db.find(from);
    auto dst = c.db.find(to);
    if (src == c.db.end()) return c.integer(0);
    Set* s = get_as<Set>(src->second);
    Set* d = dst == c.db.end() ? nullptr : get_as<Set>(dst->second);
    if (!s || (dst != c.db.end() && !d)) return c.wrong_type();
    if (s == d) return c.integer(s->contains(c.args[3]) ? 1 : 0);
    if (!s->erase(c.args[3])) return c.integer(0);
    if (s->empty()) c.db.erase(src);
    if (!d) d = get_as<Set>(c.db.insert(to, std::make_unique<Set>())->second);
    c.db.touch(from);
    if (d->insert(c.args[3])) c.db.touch(to);
    c.integer(1);
}

}  // namespace mini_redis::cmd
