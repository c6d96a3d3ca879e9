#pragma once
/// SinkExt<Self>: futures-rs's `SinkExt`, the methods that turn a Sink's
/// poll protocol into futures: `s.send(item)`, `feed(item)`, `flush()`,
/// `close()` (see sink_send.hpp and sink_flush.hpp for what each does and
/// what destroying it mid-way means). A sink derives it by CRTP, as streams
/// derive StreamExt; a sink that derives nothing reaches the same futures
/// through `pollen::sink::send(s, item)` and friends. Each method borrows
/// the sink (call it on an lvalue), which must outlive the future.

#include <type_traits>
#include <utility>

#include "sink.hpp"
#include "sink_flush.hpp"
#include "sink_send.hpp"

namespace pollen {

template <class Self>
class SinkExt {
public:
    /// Ready once `item` was accepted and flushed.
    template <class Item>
    auto send(Item&& item) & {
        return sink::Send<Self, std::decay_t<Item>>(self(), std::forward<Item>(item));
    }
    /// Ready once `item` was accepted (not flushed).
    template <class Item>
    auto feed(Item&& item) & {
        return sink::Feed<Self, std::decay_t<Item>>(self(), std::forward<Item>(item));
    }
    /// Ready once everything accepted so far has gone out.
    auto flush() & { return sink::Flush<Self>(self()); }
    /// Ready once flushed and closed.
    auto close() & { return sink::Close<Self>(self()); }

private:
    Self& self() { return static_cast<Self&>(*this); }
};

}  // namespace pollen
