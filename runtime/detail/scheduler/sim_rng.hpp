#pragma once
/// SimRng: the simulation's seeded generator (splitmix64, Steele, Lea and
/// Flood 2014), and the FNV-1a 64 hash of its event log. Both are written
/// out here rather than taken from <random>: a simulation must replay on
/// every platform and standard library, and std::uniform_int_distribution's
/// output is implementation-defined. `below(n)` maps onto [0, n) with
/// Lemire's multiply-shift (a bias under n / 2^64, irrelevant here).
///
/// A plain value, owned by one simulation; not thread-safe.

#include <cstdint>

namespace pollen::detail {

class SimRng {
public:
    explicit SimRng(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// A number in [0, n); 0 when n is 0.
    std::uint64_t below(std::uint64_t n) {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }

private:
    std::uint64_t state_;
};

/// FNV-1a, 64 bits, fed one event at a time: a kind byte, then a value's
/// eight bytes, least significant first (the same on every byte order).
class EventHash {
public:
    void add(std::uint8_t kind, std::uint64_t value) {
        mix(kind);
        for (int i = 0; i < 8; ++i) mix(static_cast<std::uint8_t>(value >> (8 * i)));
        ++events_;
    }
    std::uint64_t hash() const { return hash_; }
    std::uint64_t events() const { return events_; }

private:
    void mix(std::uint8_t byte) {
        hash_ ^= byte;
        hash_ *= 0x100000001B3ull;
    }
    std::uint64_t hash_ = 0xCBF29CE484222325ull;
    std::uint64_t events_ = 0;
};

}  // namespace pollen::detail
