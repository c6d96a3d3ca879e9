#pragma once
/// DurationHistogram: counts of durations (task polls, scheduling delays) in
/// fixed log-scale buckets, as Tokio's poll-count histogram with
/// `HistogramScale::Log`: the first bucket holds [0, 128 ns), each next one
/// is twice as wide ([128, 256 ns), [256, 512 ns) ... ), and the last holds
/// everything from about 537 ms up. One layout for every histogram of
/// pollen, so two of them (two runtimes, two snapshots) add bucket by bucket.
/// Filled when the runtime keeps task statistics (Builder::task_stats):
/// RuntimeMetrics' poll_time_histogram and scheduled_delay_histogram, and
/// TaskSnapshot::poll_times per task. A plain value; any thread.

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace pollen {

struct DurationHistogram {
    static constexpr std::size_t kBuckets = 24;
    /// The width of the first bucket (Tokio's "resolution").
    static constexpr std::chrono::nanoseconds kResolution{128};

    std::array<std::uint64_t, kBuckets> counts{};

    /// The bucket a duration falls in, without a branch, so it can sit on the
    /// poll path: the bucket is the bit width of ns / 128, which is the top
    /// bit's index of (ns / 64) | 1 (the low bit only makes 0 and 1 both
    /// land in bucket 0, and lets the compiler drop the zero check).
    static constexpr std::size_t bucket_of(std::int64_t ns) {
        std::uint64_t halves = std::uint64_t(ns > 0 ? ns : 0) >> 6 | 1;
        unsigned b = unsigned(63 ^ std::countl_zero(halves));  // the top bit's index
        return b < kBuckets ? b : kBuckets - 1;
    }
    static constexpr std::size_t bucket_of(std::chrono::nanoseconds d) { return bucket_of(std::int64_t(d.count())); }
    /// Where bucket `i` starts (inclusive).
    static constexpr std::chrono::nanoseconds bucket_start(std::size_t i) {
        return i == 0 ? std::chrono::nanoseconds(0) : kResolution * (std::int64_t(1) << (i - 1));
    }
    /// Where bucket `i` ends (exclusive); nanoseconds::max() for the last one.
    static constexpr std::chrono::nanoseconds bucket_end(std::size_t i) {
        return i + 1 >= kBuckets ? std::chrono::nanoseconds::max() : bucket_start(i + 1);
    }

    std::uint64_t total() const {
        std::uint64_t n = 0;
        for (std::uint64_t c : counts) n += c;
        return n;
    }
    DurationHistogram& operator+=(const DurationHistogram& other) {
        for (std::size_t i = 0; i < kBuckets; ++i) counts[i] += other.counts[i];
        return *this;
    }
    friend bool operator==(const DurationHistogram&, const DurationHistogram&) = default;
};

static_assert(DurationHistogram::bucket_of(127) == 0);
static_assert(DurationHistogram::bucket_of(128) == 1);
static_assert(DurationHistogram::bucket_of(255) == 1);
static_assert(DurationHistogram::bucket_of(256) == 2);
static_assert(DurationHistogram::bucket_of(0) == 0 && DurationHistogram::bucket_of(-5) == 0);
static_assert(DurationHistogram::bucket_of(std::int64_t(1) << 62) == DurationHistogram::kBuckets - 1);
static_assert(DurationHistogram::bucket_end(1) == DurationHistogram::bucket_start(2));

}  // namespace pollen
