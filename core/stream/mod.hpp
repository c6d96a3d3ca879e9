#pragma once
/// Streams (futures-rs's Stream and StreamExt): the trait, its sources,
/// adapters and consumers, one per header. Kept by hand; `make headers`
/// checks that every public header of core/stream/ is listed here.

// The trait and its extension methods.
#include "stream.hpp"
#include "stream_ext.hpp"
#include "size_hint.hpp"
#include "next.hpp"
#include "boxed.hpp"

// Sources.
#include "empty.hpp"
#include "once.hpp"
#include "iter.hpp"
#include "repeat.hpp"
#include "unfold.hpp"
#include "poll_fn.hpp"

// Adapters.
#include "map.hpp"
#include "then.hpp"
#include "filter.hpp"
#include "filter_map.hpp"
#include "inspect.hpp"
#include "enumerate.hpp"
#include "take.hpp"
#include "take_while.hpp"
#include "skip.hpp"
#include "skip_while.hpp"
#include "chunks.hpp"
#include "fuse.hpp"
#include "chain.hpp"
#include "zip.hpp"
#include "merge.hpp"

// Consumers.
#include "collect.hpp"
#include "count.hpp"
#include "fold.hpp"
#include "for_each.hpp"
#include "for_each_concurrent.hpp"

// Many futures in flight.
#include "futures_ordered.hpp"
#include "futures_unordered.hpp"
#include "buffered.hpp"
#include "buffer_unordered.hpp"
