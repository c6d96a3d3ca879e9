#pragma once
// pollen-console's model: one snapshot of a runtime as the console protocol
// (version 1, runtime/detail/console/console_protocol.hpp) sends it, parsed
// into plain structs for the view.

#include <cstdint>
#include <string>
#include <vector>

namespace console {

struct Task {
    std::uint64_t id = 0;
    std::string name, file, state;
    unsigned line = 0;
    bool has_stats = false, cancelling = false;
    std::uint64_t polls = 0, wakes = 0, self_wakes = 0, waker_clones = 0, waker_drops = 0;
    std::int64_t busy_ns = 0, scheduled_ns = 0, idle_ns = 0, total_ns = 0;
    std::int64_t running_for_ns = -1, since_wake_ns = -1, since_poll_ns = -1;  // -1: none
    std::vector<std::uint64_t> poll_times;
};

struct Worker {
    std::uint64_t polls = 0, steals = 0, stolen_tasks = 0, parks = 0;
};

struct Warning {
    std::string kind, message;
    std::uint64_t task = 0;
};

struct Snapshot {
    int pid = 0;
    std::string program, flavor;
    std::int64_t resolution_ns = 128;
    std::size_t workers = 0, tasks_alive = 0, global_queue_depth = 0, blocking_threads = 0, blocking_queue_depth = 0;
    std::uint64_t tasks_spawned = 0, polls = 0, steals = 0, parks = 0, lost_waker_count = 0;
    std::vector<std::uint64_t> poll_time_histogram, scheduled_delay_histogram;
    std::vector<Worker> per_worker;
    std::vector<Task> tasks;
    std::vector<Warning> warnings;
};

/// Parses a snapshot reply; throws std::runtime_error on a bad or
/// unsupported (not version 1) reply.
Snapshot parse_snapshot(const std::string& line);
/// The text of a dump reply; throws std::runtime_error likewise.
std::string parse_dump(const std::string& line);

}  // namespace console
