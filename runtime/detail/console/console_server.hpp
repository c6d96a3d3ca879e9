#pragma once
/// ConsoleServer: the runtime's side of the live console (docs/console.md).
/// A Unix stream socket, owner-only (mode 0600, in a 0700 directory by
/// default; peers of another user are refused by their credentials),
/// served by a plain thread of its own rather than a task: the console must
/// answer while every worker is stuck in a blocking call, which is one of
/// the bugs it is there to show.
///
/// The protocol is line-based: a client writes a request line
/// ("snapshot", "dump"), the server answers one line (JSON, built by the
/// `respond` callback on the server's thread) and waits for the next.
///
/// Bounded whatever the clients do: at most kMaxClients at a time (more
/// wait in the listen backlog), one reply in flight per client (its next
/// request is not read until that reply has gone), request lines of at most
/// kMaxRequest bytes, and a client that leaves a reply unread for
/// kStallLimit is dropped. Writes never block: a client that stops reading
/// costs one reply's memory and the server's attention, never a worker.
///
/// Destroying it (or stop()) wakes the thread, joins it, closes every
/// connection and removes the socket file.
///
/// Threads: construct and stop on any thread; `respond` runs on the
/// server's thread only.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "../../../core/detail/owned_fd.hpp"

namespace pollen::detail {

class ConsoleServer {
public:
    using Respond = std::function<std::string(std::string_view request)>;

    static constexpr std::size_t kMaxClients = 8;
    static constexpr std::size_t kMaxRequest = 4096;
    static constexpr std::chrono::seconds kStallLimit{10};

    /// Binds `path` (replacing a stale socket left there, refusing any other
    /// file), makes it 0600 and starts serving. Throws std::system_error.
    ConsoleServer(std::string path, Respond respond);
    ~ConsoleServer();
    ConsoleServer(const ConsoleServer&) = delete;
    ConsoleServer& operator=(const ConsoleServer&) = delete;

    /// Stops serving and removes the socket; idempotent.
    void stop();
    const std::string& path() const { return path_; }

private:
    void serve();

    std::string path_;
    Respond respond_;
    OwnedFd listener_;
    OwnedFd wake_;  // an eventfd: stop() writes it to end serve()
    std::thread thread_;
};

}  // namespace pollen::detail
