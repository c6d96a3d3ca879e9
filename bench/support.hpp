#pragma once
/// Small futures and helpers the scenarios share: each scenario's loops are
/// hand-written state machines, these are the pieces they have in common.

#include <pollen.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "registry.hpp"

namespace pollen::bench {

/// What a scenario's `block_on` future returns: Err(reason) fails the run.
using Outcome = Result<void, std::string>;

inline void check(Outcome r) {
    if (r.is_err()) throw Failure(std::move(r).error());
}

/// Ready(Err(reason)) / Ready(Ok()) for a scenario's `block_on` future.
inline Poll<Outcome> fail(std::string reason) { return Ready<Outcome>{Err(std::move(reason))}; }
inline Poll<Outcome> succeed() { return Ready<Outcome>{Ok()}; }

/// Keeps the optimizer from discarding a computed value.
template <class T>
inline void black_box(const T& value) {
    asm volatile("" : : "r,m"(value) : "memory");
}

/// A task that does nothing (Tokio's `async {}`).
class Empty : public FutureExt<Empty> {
public:
    using Output = void;
    Poll<void> poll(Context&) { return ready(); }
};

/// Sends `Unit` on a oneshot (a signal), ignoring a closed receiver.
inline void signal(std::optional<oneshot::Sender<Unit>>& tx) {
    if (tx) (void)std::move(*tx).send(Unit{});
    tx.reset();
}

/// Ready once every JoinHandle in `handles` has finished, awaited in order
/// (Tokio's `for h in handles { h.await? }`); Err at the first failed task.
template <class T>
class AwaitAll : public FutureExt<AwaitAll<T>> {
public:
    using Output = Outcome;
    explicit AwaitAll(std::vector<JoinHandle<T>>& handles) : handles_(&handles) {}

    Poll<Output> poll(Context& cx) {
        while (next_ < handles_->size()) {
            auto p = (*handles_)[next_].poll(cx);
            if (p.is_pending()) return pending;
            if (p.value().is_err()) return fail(p.value().error().what());
            ++next_;
        }
        return succeed();
    }

private:
    std::vector<JoinHandle<T>>* handles_;
    std::size_t next_ = 0;
};

/// Ready with the oneshot's outcome as an Outcome (`rx.await.map_err(...)`).
inline Poll<Outcome> poll_signal(oneshot::Receiver<Unit>& rx, Context& cx) {
    auto p = rx.poll(cx);
    if (p.is_pending()) return pending;
    if (p.value().is_err()) return fail("signal sender dropped");
    return succeed();
}

}  // namespace pollen::bench
