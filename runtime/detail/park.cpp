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
    expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kParkedThread, std::memory_order_acq_rel)) {
        // Notified since the first check.
        state_.store(kEmpty, std::memory_order_release);
        return;
    }
    // Only the unpark that ends kParkedThread unparks thread_, after setting
    // kNotified, and this round consumes that token: thread_ holds no stale
    // one, so its return means state_ is kNotified.
    thread_.park(spin_first_);
    state_.store(kEmpty, std::memory_order_release);
}

void Parker::unpark() {
    switch (state_.exchange(kNotified, std::memory_order_acq_rel)) {
        case kParkedThread: thread_.unpark(); break;
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
