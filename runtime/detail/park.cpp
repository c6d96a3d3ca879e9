#include "park.hpp"

namespace pollen::detail {

void Parker::park() {
    int expected = kNotified;
    if (state_.compare_exchange_strong(expected, kEmpty, std::memory_order_acquire)) return;
    if (driver_) {
        Driver::Lock driving = driver_->try_lock();
        if (driving.owns_lock()) {
            expected = kEmpty;
            if (state_.compare_exchange_strong(expected, kParkedDriver, std::memory_order_acq_rel))
                driver_->park(driving, std::nullopt);
            state_.exchange(kEmpty, std::memory_order_acquire);  // consumes a pending unpark
            return;
        }
    }
    std::unique_lock lock(mu_);
    expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kParkedCondvar, std::memory_order_acquire)) {
        // Notified between the first check and the lock.
        state_.store(kEmpty, std::memory_order_release);
        return;
    }
    cv_.wait(lock, [&] { return state_.load(std::memory_order_acquire) == kNotified; });
    state_.store(kEmpty, std::memory_order_release);
}

void Parker::park_timeout(std::chrono::nanoseconds timeout) {
    int expected = kNotified;
    if (state_.compare_exchange_strong(expected, kEmpty, std::memory_order_acquire)) return;
    std::unique_lock lock(mu_);
    expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kParkedCondvar, std::memory_order_acquire)) {
        state_.store(kEmpty, std::memory_order_release);
        return;
    }
    cv_.wait_for(lock, timeout, [&] { return state_.load(std::memory_order_acquire) == kNotified; });
    state_.store(kEmpty, std::memory_order_release);
}

void Parker::unpark() {
    switch (state_.exchange(kNotified, std::memory_order_acq_rel)) {
        case kParkedCondvar:
            // Taking the lock orders us after the parker's wait began, so the
            // notification cannot slip in before it sleeps.
            { std::lock_guard lock(mu_); }
            cv_.notify_one();
            break;
        case kParkedDriver: driver_->unpark(); break;
        default: break;
    }
}

namespace {
BlockOnSignal* sig(const void* d) { return static_cast<BlockOnSignal*>(const_cast<void*>(d)); }
RawWaker signal_clone(const void* d);
void signal_wake(const void* d) {
    sig(d)->wake();
    sig(d)->unref();
}
void signal_wake_by_ref(const void* d) { sig(d)->wake(); }
void signal_drop(const void* d) { sig(d)->unref(); }
constexpr RawWakerVTable signal_vtable{signal_clone, signal_wake, signal_wake_by_ref, signal_drop};
RawWaker signal_clone(const void* d) {
    sig(d)->ref();
    return {d, &signal_vtable};
}
}  // namespace

BlockOnSignal* BlockOnSignal::create(std::shared_ptr<Parker> parker) {
    return new BlockOnSignal(std::move(parker));
}

void BlockOnSignal::unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

Waker BlockOnSignal::waker() {
    ref();
    return Waker(RawWaker{this, &signal_vtable});
}

}  // namespace pollen::detail
