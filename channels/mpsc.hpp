#pragma once
/// pollen::mpsc: Tokio's multi-producer, single-consumer channels, bounded
/// (`channel<T>(capacity)`, see mpsc_bounded.hpp) and unbounded
/// (`unbounded_channel<T>()`, see mpsc_unbounded.hpp); their receivers are in
/// mpsc_receiver.hpp, their errors in mpsc_error.hpp. Runtime-agnostic: they
/// only use Wakers, which they wake from the thread that sends, receives or
/// closes.

#include "mpsc_bounded.hpp"
#include "mpsc_error.hpp"
#include "mpsc_receiver.hpp"
#include "mpsc_unbounded.hpp"
