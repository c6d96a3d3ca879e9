#pragma once
// Output-buffer limits, Redis's `client-output-buffer-limit`: for each class
// of client, a hard limit in bytes and a soft limit with a number of
// seconds. A client whose pending output (replies and pub/sub messages not
// yet written to its socket) reaches the hard limit, or stays at or above the
// soft limit for more than the soft seconds, is disconnected, without a
// word, as Redis does. 0 switches a limit off. Classes: `normal` (Redis's
// default 0 0 0: none; a mini_redis connection bounds its own replies anyway
// by writing them before it reads more requests) and `pubsub` (a client
// subscribed to a channel or a pattern; default 32mb 8mb 60). `slave` /
// `replica` is accepted and shown, as Redis does, and means nothing here.
//
// OutputLimits holds the limits of every class, as atomics: CONFIG SET may
// change them while connections read them. OutputTracker is one client's
// soft-limit clock. `parse_memory` reads Redis's sizes ("32mb", "1gb",
// "100k"). Plain functions and values; OutputLimits is thread-safe,
// OutputTracker is guarded by its owner.
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mini_redis {

/// Redis's memtoll: digits, then an optional unit, any case: b, k (1000),
/// kb (1024), m, mb, g, gb. Nothing else (no sign, no fraction).
inline std::optional<std::uint64_t> parse_memory(std::string_view s) {
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits == 0) return std::nullopt;
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + digits, n);
    if (ec != std::errc()) return std::nullopt;
    std::string unit;
    for (char c : s.substr(digits)) unit += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    std::uint64_t mul = 1;
    if (unit.empty() || unit == "b") mul = 1;
    else if (unit == "k") mul = 1000;
    else if (unit == "kb") mul = 1024;
    else if (unit == "m") mul = 1000 * 1000;
    else if (unit == "mb") mul = 1024 * 1024;
    else if (unit == "g") mul = 1000ull * 1000 * 1000;
    else if (unit == "gb") mul = 1024ull * 1024 * 1024;
    else return std::nullopt;
    if (n > (std::uint64_t{1} << 62) / mul) return std::nullopt;
    return n * mul;
}

/// One class's limits.
struct OutputLimit {
    std::uint64_t hard = 0;          ///< bytes; 0: none
    std::uint64_t soft = 0;          ///< bytes; 0: none
    std::uint64_t soft_seconds = 0;  ///< how long a client may stay at or above `soft`
};

/// One client's soft-limit clock (Redis's obuf_soft_limit_reached_time).
struct OutputTracker {
    std::optional<std::chrono::steady_clock::time_point> soft_since;

    /// Redis's checkClientOutputBufferLimits: true if a client with `used`
    /// bytes pending must be closed now.
    bool over(std::uint64_t used, const OutputLimit& lim) {
        if (lim.hard != 0 && used >= lim.hard) return true;
        if (lim.soft == 0 || used < lim.soft) {
            soft_since.reset();
            return false;
        }
        auto now = std::chrono::steady_clock::now();
        if (!soft_since) {
            soft_since = now;  // the first time it is seen above
            return false;
        }
        return now - *soft_since > std::chrono::seconds(lim.soft_seconds);
    }
};

class OutputLimits {
public:
    enum class Class { Normal, Replica, Pubsub };

    OutputLimits() {
        store(Class::Replica, {256u << 20, 64u << 20, 60});
        store(Class::Pubsub, {32u << 20, 8u << 20, 60});
    }

    OutputLimit get(Class c) const {
        const Slot& s = slots_[static_cast<int>(c)];
        return {s.hard.load(std::memory_order_relaxed), s.soft.load(std::memory_order_relaxed),
                s.seconds.load(std::memory_order_relaxed)};
    }
    /// Whether class `c` has any limit at all (a quick test before counting).
    bool any(Class c) const {
        OutputLimit l = get(c);
        return l.hard != 0 || l.soft != 0;
    }

    /// Redis's syntax, as in redis.conf and CONFIG SET: `<class> <hard>
    /// <soft> <soft seconds>`, repeated. Nothing is changed unless the whole
    /// text is valid; the error is Redis's words.
    std::optional<std::string> set(std::string_view text) {
        std::vector<std::string_view> words;
        for (std::size_t i = 0; i < text.size();) {
            while (i < text.size() && text[i] == ' ') ++i;
            std::size_t j = i;
            while (j < text.size() && text[j] != ' ') ++j;
            if (j > i) words.push_back(text.substr(i, j - i));
            i = j;
        }
        if (words.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
        std::vector<std::pair<Class, OutputLimit>> parsed;
        for (std::size_t i = 0; i < words.size(); i += 4) {
            std::optional<Class> c = class_named(words[i]);
            if (!c) return "Invalid client class specified in buffer limit configuration.";
            auto hard = parse_memory(words[i + 1]), soft = parse_memory(words[i + 2]);
            std::uint64_t seconds = 0;
            auto [p, ec] = std::from_chars(words[i + 3].data(), words[i + 3].data() + words[i + 3].size(), seconds);
            if (!hard || !soft || ec != std::errc() || p != words[i + 3].data() + words[i + 3].size())
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            parsed.emplace_back(*c, OutputLimit{*hard, *soft, seconds});
        }
        for (auto& [c, l] : parsed) store(c, l);
        return std::nullopt;
    }

    /// As CONFIG GET shows it: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60".
    std::string to_string() const {
        std::string out;
        for (Class c : {Class::Normal, Class::Replica, Class::Pubsub}) {
            OutputLimit l = get(c);
            if (!out.empty()) out += ' ';
            out += name(c);
            out += ' ' + std::to_string(l.hard) + ' ' + std::to_string(l.soft) + ' ' + std::to_string(l.soft_seconds);
        }
        return out;
    }

private:
    struct Slot {
        std::atomic<std::uint64_t> hard{0}, soft{0}, seconds{0};
    };

    static const char* name(Class c) {
        switch (c) {
            case Class::Normal: return "normal";
            case Class::Replica: return "slave";
            case Class::Pubsub: return "pubsub";
        }
        return "";
    }
    static std::optional<Class> class_named(std::string_view w) {
        auto is = [&](std::string_view n) {
            if (w.size() != n.size()) return false;
            for (std::size_t i = 0; i < n.size(); ++i)
                if ((w[i] >= 'A' && w[i] <= 'Z' ? w[i] - 'A' + 'a' : w[i]) != n[i]) return false;
            return true;
        };
        if (is("normal")) return Class::Normal;
        if (is("slave") || is("replica")) return Class::Replica;
        if (is("pubsub")) return Class::Pubsub;
        return std::nullopt;
    }
    void store(Class c, const OutputLimit& l) {
        Slot& s = slots_[static_cast<int>(c)];
        s.hard.store(l.hard, std::memory_order_relaxed);
        s.soft.store(l.soft, std::memory_order_relaxed);
        s.seconds.store(l.soft_seconds, std::memory_order_relaxed);
    }

    Slot slots_[3];
};

}  // namespace mini_redis
