#pragma once
// modes: task_queue's four subcommands and the options they share. Each mode
// builds its own Runtime and returns the process's exit status.
#include <pollen.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace task_queue {

/// Where --crash-after's job dies: just after taking it, or once its result
/// is computed, just before the acknowledgement.
enum class CrashPoint { kTaken, kFinished };

struct Options {
    std::string redis_host = "127.0.0.1";
    std::uint16_t redis_port = 6379;
    std::size_t threads = 2;
    std::uint64_t jobs = 100;            ///< produce
    std::string id;                      ///< work: this worker's id (default w<pid>)
    std::uint64_t crash_after = 0;       ///< work: _exit in the middle of the K-th job taken (0: never)
    CrashPoint crash_at = CrashPoint::kTaken;  ///< work: where in that job
    std::uint64_t concurrency = 2;       ///< work: jobs in progress at once, one connection each
    std::uint64_t work_ms = 5;           ///< work: how long each job pretends to take
    std::uint64_t heartbeat_ms = 3000;   ///< work: the heartbeat key's lifetime
    std::uint64_t expect = 0;            ///< results
    std::uint64_t timeout_s = 60;        ///< results: how long to wait for them

    std::optional<pollen::net::SocketAddr> redis_addr() const {
        auto a = pollen::net::SocketAddr::parse(redis_host + ":" + std::to_string(redis_port));
        if (a.is_err()) return std::nullopt;
        return a.value();
    }
};

/// Reserves --jobs ids and queues one job per id.
int produce(const Options& opts);
/// Takes jobs until SIGINT/SIGTERM (see worker.cpp).
int work(const Options& opts);
/// Gives the jobs of dead workers back to the queue.
int recover(const Options& opts);
/// Waits for --expect results and checks each of them.
int results(const Options& opts);

}  // namespace task_queue
