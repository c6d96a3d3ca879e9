#pragma once
/// SeekFrom: where `File::seek` moves the cursor to, Rust's `io::SeekFrom`:
/// an offset from the start, from the end, or from the current position.
/// A plain value.

#include <cstdint>

namespace pollen::fs {

struct SeekFrom {
    enum class Whence { start, end, current };

    static SeekFrom start(std::uint64_t offset) noexcept { return {Whence::start, static_cast<std::int64_t>(offset)}; }
    static SeekFrom end(std::int64_t offset) noexcept { return {Whence::end, offset}; }
    static SeekFrom current(std::int64_t offset) noexcept { return {Whence::current, offset}; }

    Whence whence = Whence::start;
    std::int64_t offset = 0;

    bool operator==(const SeekFrom&) const = default;
};

}  // namespace pollen::fs
