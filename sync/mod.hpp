#pragma once
/// Synchronisation between tasks (tokio::sync, but for the channels, which
/// are in channels/). Runtime-agnostic: they need only Wakers. Kept by hand;
/// `make headers` checks that every public header of sync/ is listed here.

#include "mutex.hpp"
#include "rw_lock.hpp"
#include "try_lock_error.hpp"
#include "semaphore.hpp"
#include "acquire_error.hpp"
#include "notify.hpp"
#include "barrier.hpp"
#include "once_cell.hpp"
#include "cancellation_token.hpp"
