#include "parker.hpp"

namespace pollen::detail {

void ThreadParker::park() {
    if (state_.fetch_sub(1, std::memory_order_acquire) == kNotified) return;  // the token was there
    for (;;) {
        state_.wait(kParked, std::memory_order_acquire);
        // A value other than kParked is kNotified (only unpark writes it);
        // the loop only guards against a wait that returns early.
        int expected = kNotified;
        if (state_.compare_exchange_strong(expected, kEmpty, std::memory_order_acquire)) return;
    }
}

void ThreadParker::unpark() {
    if (state_.exchange(kNotified, std::memory_order_release) == kParked) state_.notify_one();
}

}  // namespace pollen::detail
