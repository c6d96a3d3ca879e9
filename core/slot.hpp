#pragma once
/// Slot<F>: "a child future I may be awaiting", the member that a hand-written
/// poll keeps for a future it starts in one poll and finishes in a later one.
/// In Rust the compiler keeps it inside the `async fn`'s state; here it replaces
/// `std::optional<F>` and the four lines that every poll spelled around it:
///
///     pollen::Slot<time::Sleep> nap_;
///     ...
///     if (nap_.is_empty()) nap_.emplace(time::sleep(10ms));
///     if (nap_.poll(cx).is_pending()) return pollen::pending;   // Ready: the slot is empty again
///
/// `poll` polls the child; on Ready it destroys the child (the slot is empty
/// again) and hands back the output, so the next `emplace` starts a fresh one.
/// Polling an empty slot is a bug (asserted): it means Ready was already taken.
/// The child is built in place and never moved by the slot, so it may be
/// polled as pinned; the slot moves (with its child) only as the child may:
/// before the child's first poll. Destroying the slot (or `reset()`) destroys the child: cancellation.
///
/// Thread safety: as the child's (distinct objects: safe; shared objects: unsafe).

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>

#include "future.hpp"

namespace pollen {

template <Future F>
class Slot {
public:
    using Output = output_t<F>;

    Slot() = default;

    bool is_empty() const { return !child_.has_value(); }
    explicit operator bool() const { return child_.has_value(); }

    /// Starts a child in place (replacing, and so cancelling, any current one).
    template <class... Args>
        requires std::is_constructible_v<F, Args&&...>
    F& emplace(Args&&... args) {
        return child_.emplace(std::forward<Args>(args)...);
    }

    /// Polls the child; on Ready the child is destroyed before the output is returned.
    Poll<Output> poll(Context& cx) {
        assert(child_ && "pollen::Slot polled while empty (its Ready was already taken)");
        auto p = child_->poll(cx);
        if (p.is_ready()) child_.reset();
        return p;
    }

    /// The running child; only while not empty.
    F& get() {
        assert(child_);
        return *child_;
    }

    /// Drops the child now: Rust's `drop(fut)`.
    void reset() { child_.reset(); }

private:
    std::optional<F> child_;
};

}  // namespace pollen
