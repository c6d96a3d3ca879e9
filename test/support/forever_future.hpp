#pragma once
// Test support: Forever, a future that is Pending forever (keeping the waker
// of its last poll) and counts its own destruction, for tests of abort,
// cancellation and shutdown.

#include <atomic>
#include <memory>
#include <optional>
#include <utility>

#include <pollen/core/future_ext.hpp>

namespace pollen::test {

struct Forever : FutureExt<Forever> {
    using Output = int;
    std::shared_ptr<std::atomic<int>> destroyed;
    std::optional<Waker> waker;
    explicit Forever(std::shared_ptr<std::atomic<int>> d) : destroyed(std::move(d)) {}
    Forever(Forever&& o) noexcept : destroyed(std::move(o.destroyed)), waker(std::move(o.waker)) {}
    ~Forever() {
        if (destroyed) destroyed->fetch_add(1);
    }
    Poll<int> poll(Context& cx) {
        waker = cx.waker();
        return pending;
    }
};

}  // namespace pollen::test
