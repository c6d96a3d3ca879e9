#pragma once
/// pollen's core (futures-rs's `futures-core` + `futures-util`, and
/// tokio::io's traits): what a future is, how it is woken, and everything
/// built from futures alone. Knows nothing of threads, timers or the OS: it
/// works under any executor that hands out Wakers. Kept by hand, in the order
/// a reader learns it; `make headers` checks that every public header of
/// core/ is listed here. The testing harness is apart: core/testing/mod.hpp.

// The model: a future, its answer, its waker.
#include "future.hpp"
#include "poll.hpp"
#include "waker.hpp"
#include "context.hpp"
#include "atomic_waker.hpp"
#include "result.hpp"
#include "coop.hpp"
#include "log.hpp"
#include "trace.hpp"

// Writing futures by hand or as resumable bodies.
#include "async_fn.hpp"
#include "async_move.hpp"
#include "poll_fn.hpp"
#include "slot.hpp"
#include "drop.hpp"
#include "boxed.hpp"
#include "either.hpp"

// Leaf futures.
#include "ready.hpp"
#include "pending.hpp"
#include "lazy.hpp"

// Combinators (futures-rs's FutureExt / TryFutureExt).
#include "future_ext.hpp"
#include "map.hpp"
#include "map_ok.hpp"
#include "map_err.hpp"
#include "then.hpp"
#include "and_then.hpp"
#include "or_else.hpp"
#include "inspect.hpp"
#include "fuse.hpp"
#include "loop_step.hpp"
#include "loop_fn.hpp"

// Running several futures in one task.
#include "join.hpp"
#include "try_join.hpp"
#include "join_all.hpp"
#include "select.hpp"
#include "select_all.hpp"
#include "select_on.hpp"
#include "race.hpp"

// Streams.
#include "stream/mod.hpp"

// Async I/O traits and their helpers (tokio::io).
#include "io/mod.hpp"

// Framing bytes into messages (tokio-util's codec).
#include "codec/mod.hpp"
