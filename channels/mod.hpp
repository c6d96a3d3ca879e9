#pragma once
/// Channels (tokio::sync's mpsc, oneshot, broadcast and watch): one
/// namespace per kind. Runtime-agnostic but for mpsc's send_timeout. Kept by
/// hand; `make headers` checks that every public header of channels/ is
/// listed here.

#include "mpsc.hpp"
#include "mpsc_bounded.hpp"
#include "mpsc_unbounded.hpp"
#include "mpsc_receiver.hpp"
#include "mpsc_error.hpp"
#include "oneshot.hpp"
#include "broadcast.hpp"
#include "watch.hpp"
