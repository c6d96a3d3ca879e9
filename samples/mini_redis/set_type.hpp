#pragma once
// Set: the value of a Redis set.
//
// Members live as the keys of a hash map whose value is the member's place
// in a dense array of pointers to the map's nodes, so that SPOP and
// SRANDMEMBER pick a uniformly random member in O(1) (Redis picks from its
// hash table the same way) and SREM stays O(1) (the last pointer fills the
// hole).
//
// `intset()` follows Redis's encoding: a set that only ever held canonical
// integers, at most 512 of them, is an intset in redis-server, which
// SMEMBERS lists in ascending numeric order; adding any other member (or the
// 513th) turns it into a hash table for good, listed in an order no client
// can rely on. Set's members() gives the same two orders, so SMEMBERS of an
// integer set is byte-identical to Redis's. Not thread-safe (Db's lock).
#include <algorithm>
#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "numbers.hpp"

namespace mini_redis {

class Set {
public:
    static constexpr std::size_t kMaxIntsetEntries = 512;  // Redis's set-max-intset-entries

    Set() = default;
    Set(const Set&) = delete;  // the array points into the map's nodes
    Set& operator=(const Set&) = delete;

    std::size_t size() const { return dense_.size(); }
    bool empty() const { return dense_.empty(); }
    bool contains(const std::string& m) const { return index_.count(m) != 0; }
    bool intset() const { return intset_; }

    /// True if `m` was not there.
    bool insert(std::string m) {
        long long ignored = 0;
        bool is_int = num::parse_ll(m, ignored);
        auto [it, fresh] = index_.emplace(std::move(m), dense_.size());
        if (!fresh) return false;
        dense_.push_back(&*it);
        if (!is_int || dense_.size() > kMaxIntsetEntries) intset_ = false;
        return true;
    }
    /// True if `m` was there.
    bool erase(const std::string& m) {
        auto it = index_.find(m);
        if (it == index_.end()) return false;
        remove_at(it->second);
        return true;
    }
    void clear() {
        dense_.clear();
        index_.clear();
    }
    /// A uniformly random member.
    const std::string& random(std::mt19937_64& rng) const { return dense_[pick(rng)]->first; }
    /// Removes and returns a uniformly random member.
    std::string pop(std::mt19937_64& rng) {
        std::size_t i = pick(rng);
        std::string m = dense_[i]->first;
        remove_at(i);
        return m;
    }

    /// Every member: in ascending numeric order for an intset, as stored otherwise.
    std::vector<const std::string*> members() const {
        std::vector<const std::string*> out;
        out.reserve(dense_.size());
        for (auto* node : dense_) out.push_back(&node->first);
        if (intset_) {
            std::sort(out.begin(), out.end(), [](const std::string* a, const std::string* b) {
                long long x = 0, y = 0;
                num::parse_ll(*a, x);
                num::parse_ll(*b, y);
                return x < y;
            });
        }
        return out;
    }

private:
    using Map = std::unordered_map<std::string, std::size_t>;

    std::size_t pick(std::mt19937_64& rng) const {
        return std::uniform_int_distribution<std::size_t>(0, dense_.size() - 1)(rng);
    }
    void remove_at(std::size_t i) {
        Map::value_type* gone = dense_[i];
        dense_[i] = dense_.back();
        dense_[i]->second = i;
        dense_.pop_back();
        index_.erase(index_.find(gone->first));  // by iterator: the key lives in the node
    }

    Map index_;
    std::vector<Map::value_type*> dense_;
    bool intset_ = true;
};

}  // namespace mini_redis
