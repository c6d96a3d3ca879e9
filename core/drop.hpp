#pragma once
/// pollen::drop(std::move(x)): destroys the value now, Rust's
/// `std::mem::drop`. `drop(std::move(tx))` moves `x` into the call, where it
/// is destroyed before `drop` returns: a channel Sender closes the channel
/// (if it was the last one), a JoinHandle detaches its task, a lock guard
/// unlocks. `x` itself is left moved-from, which for pollen's handles is
/// their empty state (assigning `x = {}` does the same for types that have
/// one).
///
/// Only rvalues are accepted, so the call site shows the move. A future that
/// was already polled must not be moved (it is pinned: a debug build aborts),
/// so it cannot go through `drop`; destroy its owner instead (reset the
/// `std::optional` holding it, or let the scope end).

#include <type_traits>
#include <utility>

namespace pollen {

template <class T>
void drop(T&& value) {
    static_assert(!std::is_lvalue_reference_v<T>,
                  "pollen::drop takes ownership: write pollen::drop(std::move(x))");
    static_assert(!std::is_const_v<std::remove_reference_t<T>>,
                  "pollen::drop: a const value cannot be moved from, so it would only be copied");
    [[maybe_unused]] std::remove_cvref_t<T> dead(std::move(value));
}

}  // namespace pollen
