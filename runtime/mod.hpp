#pragma once
/// The runtime (tokio::runtime and tokio::task): building one, entering it,
/// spawning tasks and waiting for them. Kept by hand; `make headers` checks
/// that every public header of runtime/ is listed here.

// The runtime itself.
#include "builder.hpp"
#include "runtime.hpp"
#include "handle.hpp"
#include "enter_guard.hpp"
#include "metrics.hpp"
#include "duration_histogram.hpp"
#include "task_snapshot.hpp"
#include "task_dump.hpp"

// Tasks: spawning, joining, aborting.
#include "spawn.hpp"
#include "spawn_blocking.hpp"
#include "task_builder.hpp"
#include "join_error.hpp"
#include "join_handle.hpp"
#include "abort_handle.hpp"
#include "join_set.hpp"
#include "task_scope.hpp"
#include "local_set.hpp"
#include "task_local.hpp"

// Deterministic simulation (Builder::new_simulation).
#include "simulation.hpp"
#include "sim_runner.hpp"

// Cooperating with the scheduler.
#include "yield_now.hpp"
#include "consume_budget.hpp"
#include "unconstrained.hpp"
#include "block_in_place.hpp"
