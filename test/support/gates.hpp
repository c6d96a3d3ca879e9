#pragma once
// Test support: Gates, a world whose progress a test controls one step at a
// time, for driving combinators through every intermediate state.
//
//     pollen::test::Gates gates;
//     auto f = pollen::join(gates.future(0, 'a'), gates.future(1, 'b'));  // Pending, Pending
//     gates.open_next();   // gate 0 opens: its waiting futures are woken
//     gates.open_next();   // gate 1 opens
//
// gates.future(i, v) is Ready(v) once gate i is open; gates.stream(n) yields
// 0, 1, ..., n-1 as gates 0..n-1 open, then ends. While Pending each keeps a
// clone of its waker in itself (released on destruction), and the world
// counts the futures and streams alive, so "the combinator destroyed every
// child" is the invariant `gates.alive() == 0`. Single-threaded.

#include <cstddef>
#include <optional>
#include <set>
#include <utility>

#include <pollen/core/future_ext.hpp>
#include <pollen/core/stream/stream_ext.hpp>

namespace pollen::test {

class Gates {
public:
    class Waiter {
    public:
        explicit Waiter(Gates& g) : gates_(&g) { ++g.alive_; }
        Waiter(Waiter&& o) noexcept : gates_(std::exchange(o.gates_, nullptr)), waker_(std::move(o.waker_)) {
            // The world tracks where each waiter lives, so a moved one re-registers.
            if (gates_ && waker_) {
                gates_->waiting_.erase(&o);
                gates_->waiting_.insert(this);
            }
            o.waker_.reset();
        }
        Waiter& operator=(Waiter&&) = delete;
        ~Waiter() {
            if (!gates_) return;
            gates_->waiting_.erase(this);
            --gates_->alive_;
        }
        /// True when gate `i` is open; otherwise keeps `cx`'s waker.
        bool ready(std::size_t i, Context& cx) {
            if (gates_->opened_ > i) {
                gates_->waiting_.erase(this);
                waker_.reset();
                return true;
            }
            if (!waker_ || !waker_->will_wake(cx.waker())) waker_ = cx.waker();
            gates_->waiting_.insert(this);
            return false;
        }
        void wake() {
            if (waker_) waker_->wake_by_ref();
        }

    private:
        Gates* gates_;
        std::optional<Waker> waker_;
    };

    template <class T>
    class GateFuture : public FutureExt<GateFuture<T>> {
    public:
        using Output = T;
        GateFuture(Gates& g, std::size_t i, T v) : waiter_(g), index_(i), value_(std::move(v)) {}
        Poll<T> poll(Context& cx) {
            if (!waiter_.ready(index_, cx)) return pending;
            return Ready<T>{std::move(value_)};
        }

    private:
        Waiter waiter_;
        std::size_t index_;
        T value_;
    };

    class GateStream : public StreamExt<GateStream> {
    public:
        using Item = int;
        GateStream(Gates& g, std::size_t first, std::size_t n) : waiter_(g), next_(first), end_(first + n) {}
        Poll<std::optional<int>> poll_next(Context& cx) {
            if (next_ == end_) return Ready<std::optional<int>>{std::nullopt};
            if (!waiter_.ready(next_, cx)) return pending;
            return Ready<std::optional<int>>{static_cast<int>(next_++)};
        }

    private:
        Waiter waiter_;
        std::size_t next_, end_;
    };

    /// Ready(value) once gate `i` is open.
    template <class T>
    GateFuture<T> future(std::size_t i, T value) {
        return GateFuture<T>(*this, i, std::move(value));
    }
    /// Yields first, first+1, ... as those gates open; ends after n items.
    GateStream stream(std::size_t n, std::size_t first = 0) { return GateStream(*this, first, n); }

    /// Opens the next gate and wakes every waiting future and stream.
    void open_next() {
        ++opened_;
        std::set<Waiter*> woken = waiting_;
        for (Waiter* w : woken) w->wake();
    }
    /// Closes every gate again (a fresh world for the next instance).
    void reset() { opened_ = 0; }

    std::size_t opened() const { return opened_; }
    /// Futures and streams made here and not destroyed.
    int alive() const { return alive_; }
    /// Those of them registered as waiting.
    std::size_t waiting() const { return waiting_.size(); }

private:
    std::size_t opened_ = 0;
    int alive_ = 0;
    std::set<Waiter*> waiting_;
};

}  // namespace pollen::test
