#pragma once
// thread_rng_n(n): a cheap per-thread pseudo-random number below n, for
// fairness choices (which select branch to poll first), Tokio's
// `thread_rng_n` / FastRand. Not for anything that must be unpredictable.
// Each thread has its own state, seeded differently; any thread may call it.
// A deterministic simulation (runtime/detail/scheduler/simulation.cpp) swaps
// a state seeded from its own seed into its thread while it drives, so that
// the branch order of select_on replays with the run.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace pollen::detail {

inline std::uint64_t thread_rng_seed() {
    static std::atomic<std::uint64_t> threads{0};
    // Mixes a per-thread count and the clock (splitmix64) so threads differ.
    std::uint64_t z = threads.fetch_add(1, std::memory_order_relaxed) * 0x9E3779B97F4A7C15ull +
                      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return z != 0 ? z : 1;  // xorshift must not start at 0
}

/// This thread's generator state (never 0: xorshift would stay there).
inline std::uint64_t& thread_rng_state() {
    thread_local std::uint64_t state = thread_rng_seed();
    return state;
}

/// A number in [0, n) (n > 0).
inline std::uint32_t thread_rng_n(std::uint32_t n) {
    std::uint64_t& state = thread_rng_state();
    // xorshift64*, then Lemire's multiply-shift onto [0, n).
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    const auto r = static_cast<std::uint32_t>((state * 0x2545F4914F6CDD1Dull) >> 32);
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(r) * n) >> 32);
}

}  // namespace pollen::detail
