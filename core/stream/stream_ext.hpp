#pragma once
/// StreamExt<Self>: the fluent adapters and consumers of a Stream
/// (futures-rs's `StreamExt`), `s.map(f).filter(p).take(3)`. Every pollen
/// stream derives from it (CRTP); a hand-written stream gets the same methods
/// by deriving `pollen::StreamExt<MyStream>`, and a stream that derives
/// nothing reaches them through the free functions of the same names in
/// `pollen::stream` (`stream::map(s, f)`).
///
/// `next()` borrows the stream; every other method consumes it (call it on an
/// rvalue) and returns the adapter by value, holding the stream inside: no
/// allocation unless `.boxed()`. Adapters destroy what they hold as soon as
/// it is no longer needed, and destroying an adapter mid-way destroys the
/// inner stream and any future it was running.
///
/// Closures that futures-rs asks to return a future (`filter`, `filter_map`,
/// `take_while`, `skip_while`, `fold`, `for_each`) may here return either the
/// answer itself or a future of it. The adapter types are declared here and
/// defined in their own headers, included at the end of this one.

#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "stream.hpp"

namespace pollen {

namespace stream {
template <class St>
class Next;
template <class St, class Fn>
class Map;
template <class St, class Fn>
class Filter;
template <class St, class Fn>
class FilterMap;
template <class St, class Fn>
class Then;
template <class St, class Fn>
class Inspect;
template <class St>
class Enumerate;
template <class St>
class Take;
template <class St>
class Skip;
template <class St, class Fn>
class TakeWhile;
template <class St, class Fn>
class SkipWhile;
template <class A, class B>
class Chain;
template <class A, class B>
class Zip;
template <class A, class B>
class Merge;
template <class St, class Acc, class Fn>
class Fold;
template <class St, class Fn>
class ForEach;
template <class St, class Fn>
class ForEachConcurrent;
template <class St, class C>
class Collect;
template <class St>
class Count;
template <class St>
class Buffered;
template <class St>
class BufferUnordered;
template <class St>
class Chunks;
template <class St>
class Fuse;
template <class T>
class BoxStream;
template <class F>
class FuturesUnordered;
template <class F>
class FuturesOrdered;
}  // namespace stream

template <class Self>
class StreamExt {
public:
    /// A future of the next item (nullopt at the end). It borrows the
    /// stream, which must outlive it; destroying it mid-way loses nothing.
    auto next() & { return stream::Next<Self>(self()); }

    /// Items `fn(item)`.
    template <class Fn>
    auto map(Fn fn) && {
        return stream::Map<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// The items for which `fn(const item&)` answers true (or a future of true).
    template <class Fn>
    auto filter(Fn fn) && {
        return stream::Filter<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// The values of the non-empty optionals `fn(item)` answers (or a future of one).
    template <class Fn>
    auto filter_map(Fn fn) && {
        return stream::FilterMap<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// Runs the future `fn(item)` returns for each item, one at a time; its
    /// outputs are the items (a void output becomes `Unit`).
    template <class Fn>
    auto then(Fn fn) && {
        return stream::Then<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// Calls `fn(const item&)` on each item, then passes it on.
    template <class Fn>
    auto inspect(Fn fn) && {
        return stream::Inspect<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// Items `(index, item)`, counting from 0.
    auto enumerate() && { return stream::Enumerate<Self>(std::move(self())); }

    /// The first `n` items; the inner stream is destroyed right after the n-th.
    auto take(std::size_t n) && { return stream::Take<Self>(std::move(self()), n); }

    /// All but the first `n` items.
    auto skip(std::size_t n) && { return stream::Skip<Self>(std::move(self()), n); }

    /// Items while `fn(const item&)` answers true; ends (destroying the inner
    /// stream) at the first false.
    template <class Fn>
    auto take_while(Fn fn) && {
        return stream::TakeWhile<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// Drops items while `fn(const item&)` answers true, then passes on everything.
    template <class Fn>
    auto skip_while(Fn fn) && {
        return stream::SkipWhile<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// This stream's items, then `other`'s.
    template <Stream Other>
    auto chain(Other other) && {
        return stream::Chain<Self, Other>(std::move(self()), std::move(other));
    }

    /// Pairs of items, one from each stream; ends when either ends.
    template <Stream Other>
    auto zip(Other other) && {
        return stream::Zip<Self, Other>(std::move(self()), std::move(other));
    }

    /// Items of both streams (same Item type) as they come, polling them in
    /// round-robin order; ends when both have ended (futures-rs's `select`).
    template <Stream Other>
    auto merge(Other other) && {
        return stream::Merge<Self, Other>(std::move(self()), std::move(other));
    }

    /// A future: `acc = fn(acc, item)` (or a future of the new acc) over all
    /// items; ready with the final acc.
    template <class Acc, class Fn>
    auto fold(Acc init, Fn fn) && {
        return stream::Fold<Self, Acc, Fn>(std::move(self()), std::move(init), std::move(fn));
    }

    /// A future: runs `fn(item)` (or the future it returns) for every item in
    /// turn; ready when the stream has ended.
    template <class Fn>
    auto for_each(Fn fn) && {
        return stream::ForEach<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// A future: runs the futures `fn(item)` returns, at most `limit` at
    /// once (0: no limit); ready when the stream has ended and all are done.
    template <class Fn>
    auto for_each_concurrent(std::size_t limit, Fn fn) && {
        return stream::ForEachConcurrent<Self, Fn>(std::move(self()), limit, std::move(fn));
    }

    /// A future of every item in a container, `std::vector<Item>` unless named.
    template <class C = void>
    auto collect() && {
        using Coll = std::conditional_t<std::is_void_v<C>, std::vector<typename Self::Item>, C>;
        return stream::Collect<Self, Coll>(std::move(self()));
    }

    /// A future of the number of items.
    auto count() && { return stream::Count<Self>(std::move(self())); }

    /// For a stream of futures: runs up to `n` of them at once and yields
    /// their outputs in the order the futures came.
    auto buffered(std::size_t n) && { return stream::Buffered<Self>(std::move(self()), n); }

    /// For a stream of futures: runs up to `n` of them at once and yields
    /// their outputs in the order they complete.
    auto buffer_unordered(std::size_t n) && {
        return stream::BufferUnordered<Self>(std::move(self()), n);
    }

    /// Items gathered into vectors of `n` (the last one may be shorter).
    auto chunks(std::size_t n) && { return stream::Chunks<Self>(std::move(self()), n); }

    /// Answers nullopt forever once ended, with `is_terminated()` true.
    auto fuse() && { return stream::Fuse<Self>(std::move(self())); }

    /// Bounds on the number of items left, `{lower, upper}` (futures-rs's
    /// `size_hint`): `{0, nullopt}` here; streams that know better hide this
    /// with their own (every pollen adapter does). `stream::size_hint(s)`
    /// asks any stream, StreamExt or not.
    stream::SizeHint size_hint() const { return {0, std::nullopt}; }

    /// Type-erased and heap-pinned: one allocation, movable even after polling.
    auto boxed() && {
        using T = typename Self::Item;
        if constexpr (std::is_same_v<Self, stream::BoxStream<T>>) return std::move(self());
        else return stream::BoxStream<T>(std::move(self()));
    }

private:
    Self& self() { return static_cast<Self&>(*this); }
};

}  // namespace pollen

#include "boxed.hpp"
#include "buffer_unordered.hpp"
#include "buffered.hpp"
#include "chain.hpp"
#include "chunks.hpp"
#include "collect.hpp"
#include "count.hpp"
#include "enumerate.hpp"
#include "filter.hpp"
#include "filter_map.hpp"
#include "fold.hpp"
#include "for_each.hpp"
#include "for_each_concurrent.hpp"
#include "fuse.hpp"
#include "inspect.hpp"
#include "map.hpp"
#include "merge.hpp"
#include "next.hpp"
#include "skip.hpp"
#include "skip_while.hpp"
#include "take.hpp"
#include "take_while.hpp"
#include "then.hpp"
#include "zip.hpp"
