#pragma once
// Hash: the value of a Redis hash, fields in insertion order.
//
// Why insertion order: redis-server keeps a small hash (up to 512 fields of
// at most 64 bytes: hash-max-listpack-entries / -value) as a listpack, so HGETALL, HKEYS and HVALS answer in the
// order the fields were first set, and a client may see that order. Keeping
// it for every hash makes those replies byte-identical to Redis's for the
// hashes people look at; past the listpack limits Redis's own order is its
// hash table's, which no client can rely on.
//
// A list of (field, value) pairs and an index from field to list node:
// every operation is O(1) but the walks. The index's keys view the fields
// inside the list nodes, which never move. Not thread-safe (Db's lock).
#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace mini_redis {

class Hash {
public:
    using Items = std::list<std::pair<std::string, std::string>>;

    Hash() = default;
    Hash(const Hash&) = delete;  // the index views the list's nodes
    Hash& operator=(const Hash&) = delete;

    std::size_t size() const { return items_.size(); }
    bool empty() const { return items_.empty(); }

    std::string* find(std::string_view field) {
        auto it = index_.find(field);
        return it == index_.end() ? nullptr : &it->second->second;
    }
    /// Sets `field`; true if it is new (it goes last), false if it was
    /// replaced in place.
    bool set(std::string_view field, std::string value) {
        if (std::string* v = find(field)) {
            *v = std::move(value);
            return false;
        }
        items_.emplace_back(std::string(field), std::move(value));
        auto node = std::prev(items_.end());
        index_.emplace(std::string_view(node->first), node);
        return true;
    }
    /// True if the field was there.
    bool erase(std::string_view field) {
        auto it = index_.find(field);
        if (it == index_.end()) return false;
        auto node = it->second;
        index_.erase(it);
        items_.erase(node);
        return true;
    }

    const Items& items() const { return items_; }

private:
    Items items_;
    std::unordered_map<std::string_view, Items::iterator> index_;
};

}  // namespace mini_redis
