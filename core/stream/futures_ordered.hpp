#pragma once
/// FuturesOrdered<F>: futures-rs's `FuturesOrdered`, a queue of futures run
/// concurrently inside one task whose outputs come out in the order the
/// futures were pushed (a void output becomes `Unit`). It stands on a
/// FuturesUnordered, so only woken futures are polled; an output that is
/// ready before its predecessors' is held until they have come out.
///
/// poll_next answers nullopt when nothing is left. Wakers may fire from any
/// thread; the queue belongs to one thread at a time and may be moved even
/// after polling. Destroying it destroys every future and held output.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "futures_unordered.hpp"

namespace pollen::stream {

template <class F>
class FuturesOrdered : public StreamExt<FuturesOrdered<F>> {
public:
    using Item = unit_if_void_t<output_t<F>>;

private:
    /// A future tagged with its place in line.
    class Tagged {
    public:
        using Output = std::pair<std::size_t, Item>;
        Tagged(F fut, std::size_t index) : fut_(std::move(fut)), index_(index) {}
        Poll<Output> poll(Context& cx) {
            auto p = fut_.poll(cx);
            if (p.is_pending()) return pollen::pending;
            if constexpr (std::is_void_v<output_t<F>>) return Ready<Output>{Output(index_, Unit{})};
            else return Ready<Output>{Output(index_, p.take())};
        }

    private:
        F fut_;
        std::size_t index_;
    };
    using Done = std::pair<std::size_t, Item>;
    struct LaterFirst {
        bool operator()(const Done& a, const Done& b) const { return a.first > b.first; }
    };

public:
    /// Adds a future at the back of the line.
    void push_back(F fut) { running_.push(Tagged(std::move(fut), next_in_++)); }

    /// Futures still running plus outputs waiting for their turn.
    std::size_t len() const { return running_.len() + done_.size(); }
    bool is_empty() const { return len() == 0; }
    /// Exactly len() items (until more are pushed).
    SizeHint size_hint() const { return {len(), len()}; }

    Poll<std::optional<Item>> poll_next(Context& cx) {
        if (auto out = take_next_done()) return detail::ready_some<Item>(std::move(*out));
        for (;;) {
            auto p = running_.poll_next(cx);
            if (p.is_pending()) return pollen::pending;
            auto done = p.take();
            if (!done) return detail::ready_none<Item>();
            if (done->first == next_out_) {
                ++next_out_;
                return detail::ready_some<Item>(std::move(done->second));
            }
            done_.push_back(std::move(*done));
            std::push_heap(done_.begin(), done_.end(), LaterFirst{});
        }
    }

private:
    std::optional<Item> take_next_done() {
        if (done_.empty() || done_.front().first != next_out_) return std::nullopt;
        std::pop_heap(done_.begin(), done_.end(), LaterFirst{});
        std::optional<Item> out(std::in_place, std::move(done_.back().second));
        done_.pop_back();
        ++next_out_;
        return out;
    }

    FuturesUnordered<Tagged> running_;
    std::vector<Done> done_;  // a min-heap on the index
    std::size_t next_in_ = 0;
    std::size_t next_out_ = 0;
};

}  // namespace pollen::stream

namespace pollen {
using stream::FuturesOrdered;
}
