#pragma once
/// The reactor's public face: time (tokio::time), signals (tokio::signal)
/// and I/O readiness (tokio::io::Interest / Ready). The event loop, its OS
/// backends, the timer heap and the I/O registrations are internals, all in
/// reactor/detail/. Kept by hand; `make headers` checks that every public
/// header of reactor/ is listed here.

// Time: instants, sleeping, deadlines, intervals, and the paused test clock.
#include "instant.hpp"
#include "sleep.hpp"
#include "timeout.hpp"
#include "interval.hpp"
#include "stream_time.hpp"
#include "time_control.hpp"

// Signals.
#include "signal.hpp"

// Readiness of an I/O object.
#include "interest.hpp"
#include "ready.hpp"
