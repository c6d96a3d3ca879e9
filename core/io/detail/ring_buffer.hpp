#pragma once
// A byte FIFO with a fixed maximum that allocates as it fills: the storage
// starts small and doubles (up to the maximum) only when a write needs room,
// so a duplex with a large limit costs nothing until it is used.

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>

namespace pollen::io::detail {

class RingBuffer {
public:
    explicit RingBuffer(std::size_t max) : max_(max) {}

    std::size_t size() const { return len_; }
    bool empty() const { return len_ == 0; }
    std::size_t space() const { return max_ - len_; }

    /// Copies as much of `src` as fits under the maximum; returns how much.
    std::size_t push(std::span<const std::byte> src) {
        const std::size_t n = std::min(src.size(), space());
        if (n == 0) return 0;
        reserve(len_ + n);
        const std::size_t cap = capacity_;
        const std::size_t tail = (head_ + len_) % cap;
        const std::size_t first = std::min(n, cap - tail);
        std::memcpy(data_.get() + tail, src.data(), first);
        std::memcpy(data_.get(), src.data() + first, n - first);
        len_ += n;
        return n;
    }

    /// Moves up to dst.size() bytes out, oldest first; returns how many.
    std::size_t pop(std::span<std::byte> dst) {
        const std::size_t n = std::min(dst.size(), len_);
        if (n == 0) return 0;
        const std::size_t first = std::min(n, capacity_ - head_);
        std::memcpy(dst.data(), data_.get() + head_, first);
        std::memcpy(dst.data() + first, data_.get(), n - first);
        head_ = (head_ + n) % capacity_;
        len_ -= n;
        if (len_ == 0) head_ = 0;
        return n;
    }

private:
    static constexpr std::size_t kInitial = 4096;

    void reserve(std::size_t need) {
        if (need <= capacity_) return;
        std::size_t cap = std::max(capacity_, std::min(kInitial, max_));
        while (cap < need) cap = std::min(cap * 2, max_);
        auto grown = std::make_unique_for_overwrite<std::byte[]>(cap);
        // Unwrap the old contents to the front of the new storage.
        const std::size_t first = std::min(len_, capacity_ - head_);
        if (len_ > 0) {
            std::memcpy(grown.get(), data_.get() + head_, first);
            std::memcpy(grown.get() + first, data_.get(), len_ - first);
        }
        data_ = std::move(grown);
        capacity_ = cap;
        head_ = 0;
    }

    std::unique_ptr<std::byte[]> data_;
    std::size_t capacity_ = 0;
    std::size_t head_ = 0;
    std::size_t len_ = 0;
    std::size_t max_;
};

}  // namespace pollen::io::detail
