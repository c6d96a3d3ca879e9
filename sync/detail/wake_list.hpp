#pragma once
/// detail::WakeList: up to 32 wakers collected under a primitive's lock and
/// woken after it is released (Tokio's `WakeList`). Waking runs foreign code
/// (a scheduler, a test's waker), which must never run under our mutex; the
/// fixed capacity keeps the release paths allocation-free, and a caller with
/// more waiters drains them in batches, re-locking in between.

#include <cstddef>
#include <new>
#include <utility>

#include "../../core/waker.hpp"

namespace pollen::detail {

class WakeList {
public:
    static constexpr std::size_t kCapacity = 32;

    WakeList() = default;
    WakeList(const WakeList&) = delete;
    WakeList& operator=(const WakeList&) = delete;
    ~WakeList() { clear(); }

    bool can_push() const { return len_ < kCapacity; }
    bool empty() const { return len_ == 0; }

    void push(Waker&& w) { new (slot(len_++)) Waker(std::move(w)); }

    /// Wakes (and releases) every waker; the list is empty afterwards.
    void wake_all() {
        std::size_t n = std::exchange(len_, 0);
        for (std::size_t i = 0; i < n; ++i) {
            Waker* w = slot(i);
            std::move(*w).wake();
            w->~Waker();
        }
    }

private:
    void clear() {
        std::size_t n = std::exchange(len_, 0);
        for (std::size_t i = 0; i < n; ++i) slot(i)->~Waker();
    }
    Waker* slot(std::size_t i) { return std::launder(reinterpret_cast<Waker*>(buf_ + i * sizeof(Waker))); }

    alignas(Waker) unsigned char buf_[kCapacity * sizeof(Waker)];
    std::size_t len_ = 0;
};

}  // namespace pollen::detail
