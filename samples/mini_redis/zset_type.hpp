#pragma once
// ZSet: the value of a Redis sorted set: members ordered by (score, member),
// members compared bytewise as Redis's memcmp does, and each member's score.
//
// A hash map from member to score and an ordered set of (score, member)
// whose members view the map's keys (nodes never move). Lookup by member is
// O(1), insert, remove and the first/last element O(log n); a rank, and the
// start of a range (by index, from the nearer end, or by score), are found
// by walking: O(n) where Redis's skip list with spans is O(log n). Enough
// for a sample; the commands redis-benchmark times (ZADD, ZPOPMIN) never
// walk. Not thread-safe (Db's lock).
#include <cstddef>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace mini_redis {

class ZSet {
public:
    using Order = std::set<std::pair<double, std::string_view>>;

    ZSet() = default;
    ZSet(const ZSet&) = delete;  // the order views the map's keys
    ZSet& operator=(const ZSet&) = delete;

    std::size_t size() const { return scores_.size(); }
    bool empty() const { return scores_.empty(); }
    const double* score(const std::string& m) const {
        auto it = scores_.find(m);
        return it == scores_.end() ? nullptr : &it->second;
    }
    /// Sets the score of `m`; true if `m` is new. -0 is stored as 0, as
    /// Redis's listpack stores every integral score as an integer.
    bool set(const std::string& m, double score) {
        if (score == 0) score = 0;
        auto it = scores_.find(m);
        if (it != scores_.end()) {
            if (it->second != score) {
                order_.erase({it->second, std::string_view(it->first)});
                it->second = score;
                order_.emplace(score, std::string_view(it->first));
            }
            return false;
        }
        it = scores_.emplace(m, score).first;
        order_.emplace(score, std::string_view(it->first));
        return true;
    }
    /// True if `m` was there.
    bool erase(const std::string& m) {
        auto it = scores_.find(m);
        if (it == scores_.end()) return false;
        order_.erase({it->second, std::string_view(it->first)});
        scores_.erase(it);
        return true;
    }

    const Order& order() const { return order_; }
    /// The element of ascending rank `i` (< size()).
    Order::const_iterator nth(std::size_t i) const {
        if (i <= size() / 2) return std::next(order_.begin(), static_cast<std::ptrdiff_t>(i));
        return std::prev(order_.end(), static_cast<std::ptrdiff_t>(size() - i));
    }
    /// Ascending rank of `m`, if it is a member.
    std::optional<std::size_t> rank(const std::string& m) const {
        auto it = scores_.find(m);
        if (it == scores_.end()) return std::nullopt;
        auto pos = order_.find({it->second, std::string_view(it->first)});
        return static_cast<std::size_t>(std::distance(order_.begin(), pos));
    }

private:
    std::unordered_map<std::string, double> scores_;
    Order order_;
};

}  // namespace mini_redis
