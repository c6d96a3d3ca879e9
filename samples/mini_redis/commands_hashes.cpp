// Hash commands (Redis's t_hash.c). Fields answer in insertion order (see
// hash_type.hpp).
#include <climits>

#include "command_call.hpp"

namespace mini_redis::cmd {

namespace {

/// Redis's hashTypeLookupWriteOrCreate: the hash at args[1], created empty
/// when missing; nullptr (and WRONGTYPE sent) for another type.
Hash* hash_for_write(Call& c) {
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end()) it = c.db.insert(c.args[1], std::make_unique<Hash>());
    Hash* h = get_as<Hash>(it->second);
    if (!h) c.wrong_type();
    return h;
}

}  // namespace

void hset(Call& c) {
    if (c.args.size() % 2 == 1) return c.arity_error();
    Hash* h = hash_for_write(c);
    if (!h) return;
    std::int64_t created = 0;
    for (std::size_t i = 2; i < c.args.size(); i += 2) created += h->set(c.args[i], std::move(c.args[i + 1]));
    c.name == "hset" ? c.integer(created) : c.ok();
    c.db.touch(c.args[1]);
}

void hsetnx(Call& c) {
    Hash* h = hash_for_write(c);
    if (!h) return;
    if (h->find(c.args[2])) return c.integer(0);
    h->set(c.args[2], std::move(c.args[3]));
    c.integer(1);
    c.db.touch(c.args[1]);
}

void hget(Call& c) {
    bool wrong = false;
    Hash* h = c.lookup<Hash>(1, wrong);
    if (wrong) return;
    std::string* v = h ? h->find(c.args[2]) : nullptr;
    c.reply(v ? resp::bulk(*v) : resp::null());
}

void hmget(Call& c) {
    bool wrong = false;
    Hash* h = c.lookup<Hash>(1, wrong);
    if (wrong) return;
    std::vector<resp::Value> out;
    out.reserve(c.args.size() - 2);
    for (std::size_t i = 2; i < c.args.size(); ++i) {
        std::string* v = h ? h->find(c.args[i]) : nullptr;
        out.push_back(v ? resp::bulk(*v) : resp::null());
    }
    c.reply(resp::array(std::move(out)));
}

void hdel(Call& c) {
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end()) return c.integer(0);
    Hash* h = get_as<Hash>(it->second);
    if (!h) return c.wrong_type();
    std::int64_t deleted = 0;
    for (std::size_t i = 2; i < c.args.size() && !h->empty(); ++i) deleted += h->erase(c.args[i]);
    if (h->empty()) c.db.erase(it);
    if (deleted) c.db.touch(c.args[1]);
    c.integer(deleted);
}

/// HGETALL, HKEYS, HVALS.
void hgetall(Call& c) {
    bool keys = c.name != "hvals", values = c.name != "hkeys";
    bool wrong = false;
    Hash* h = c.lookup<Hash>(1, wrong);
    if (wrong) return;
    std::vector<resp::Value> out;
    if (h) {
        out.reserve(h->size() * (keys + values));
        for (const auto& [field, value] : h->items()) {
            if (keys) out.push_back(resp::bulk(field));
            if (values) out.push_back(resp::bulk(value));
        }
    }
    c.reply(resp::array(std::move(out)));
}

void hlen(Call& c) {
    bool wrong = false;
    Hash* h = c.lookup<Hash>(1, wrong);
    if (!wrong) c.integer(h ? static_cast<std::int64_t>(h->size()) : 0);
}

void hexists(Call& c) {
    bool wrong = false;
    Hash* h = c.lookup<Hash>(1, wrong);
    if (!wrong) c.integer(h && h->find(c.args[2]) ? 1 : 0);
}

void hstrlen(Call& c) {
    bool wrong = false;
    Hash* h = c.lookup<Hash>(1, wrong);
    if (wrong) return;
    std::string* v = h ? h->find(c.args[2]) : nullptr;
    c.integer(v ? static_cast<std::int64_t>(v->size()) : 0);
}

void hincrby(Call& c) {
    long long incr = 0;
    if (!c.arg_ll(3, incr)) return;
    Hash* h = hash_for_write(c);
    if (!h) return;
    long long value = 0;
    if (std::string* v = h->find(c.args[2]); v && !num::parse_ll(*v, value))
        return c.error("ERR hash value is not an integer");
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) || (incr > 0 && value > 0 && incr > LLONG_MAX - value))
        return c.error("ERR increment or decrement would overflow");
    value += incr;
    h->set(c.args[2], std::to_string(value));
    c.integer(value);
    c.db.touch(c.args[1]);
}

void hincrbyfloat(Call& c) {
    long double incr = 0, value = 0;
    if (!num::parse_long_double(c.args[3], incr)) return c.error(kNotFloat);
    if (std::isnan(incr) || std::isinf(incr)) return c.error("ERR value is NaN or Infinity");
    Hash* h = hash_for_write(c);
    if (!h) return;
    if (std::string* v = h->find(c.args[2]); v && !num::parse_long_double(*v, value))
        return c.error("ERR hash value is not a float");
    value += incr;
    if (std::isnan(value) || std::isinf(value)) return c.error("ERR increment would produce NaN or Infinity");
    std::string out = num::format_long_double(value);
    h->set(c.args[2], out);
    c.reply(resp::bulk(std::move(out)));
    c.db.touch(c.args[1]);
}

}  // namespace mini_redis::cmd
