// echo_server: a concurrent TCP echo server, one task per connection, with a
// graceful shutdown on Ctrl-C (SIGINT) or SIGTERM.
//
//     echo_server [--port P] [--threads N] [--host A]     (P=0 picks a free port)
//                 [--max-connections N] [--idle-timeout-ms MS]
//
// Prints `listening port=P` on stdout once it accepts connections. On a
// signal it stops accepting, asks every connection to finish (each one ends
// after the echo it is writing, at its next wait for input), waits up to two
// seconds for them, and exits 0.
//
// What one client may hold: 16 KiB of buffer (a client that sends without
// reading stops being read once its echo cannot be written), one of
// --max-connections places (0, the default: no cap; past the cap a newcomer
// is accepted and closed at once, without a byte, so that it knows instead
// of waiting in the kernel's backlog), and, with
// --idle-timeout-ms, at most MS without a byte moving either way (no input,
// or its echo stuck unread): then it is closed. 0, the default: no timeout.
//
// EchoConnection below is the state machine that an `async fn` would be in
// Rust, its poll written by hand: loop read -> write back. It is not moved
// after its first poll. The accept loop, the signals and the drain are
// pollen::net::serve (net/serve.hpp), whose poll is hand-written the same way.
#include <pollen.hpp>

#include "idle_timer.hpp"
#include "server_args.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

using pollen::Context;
using pollen::Poll;

namespace {

/// One client: reads into a buffer and writes every byte back, until the
/// peer closes, an error, the idle timeout, or the shutdown token (checked
/// only when nothing is left to write, so an echo is never cut in half).
class EchoConnection : public pollen::FutureExt<EchoConnection> {
public:
    using Output = void;

    EchoConnection(pollen::net::TcpStream stream, const pollen::CancellationToken& shutdown,
                   pollen::time::Duration idle_limit)
        : stream_(std::move(stream)), shutdown_(shutdown.cancelled()), idle_(idle_limit),
          buf_(new std::byte[kBufSize]) {}

    Poll<void> poll(Context& cx) {
        for (;;) {
            while (written_ < filled_) {
                auto p = stream_.poll_write(cx, {buf_.get() + written_, filled_ - written_});
                if (p.is_pending()) return wait(cx);
                auto r = p.take();
                if (r.is_err() || r.value() == 0) return pollen::ready();
                written_ += r.value();
                idle_.touch();
            }
            if (shutdown_.poll(cx).is_ready()) return pollen::ready();
            auto p = stream_.poll_read(cx, {buf_.get(), kBufSize});
            if (p.is_pending()) return wait(cx);
            auto r = p.take();
            if (r.is_err() || r.value() == 0) return pollen::ready();  // reset, or end of stream
            filled_ = r.value();
            written_ = 0;
            idle_.touch();
        }
    }

private:
    /// The socket is not ready: wait for it, or for the idle timeout (the
    /// third branch of the select, polled only here, where we would sleep).
    Poll<void> wait(Context& cx) {
        if (idle_.poll_expired(cx)) return pollen::ready();
        return pollen::pending;
    }

    static constexpr std::size_t kBufSize = 16 * 1024;
    pollen::net::TcpStream stream_;
    pollen::WaitForCancellation shutdown_;
    samples::IdleTimer idle_;
    std::unique_ptr<std::byte[]> buf_;
    std::size_t filled_ = 0, written_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    pollen::net::ServeOptions options;  // SIGINT/SIGTERM, then two seconds to finish
    // Past --max-connections, a bare close: any text would read as an echo.
    options.reject_when_full = "";
    samples::ServerArgs defaults;
    defaults.port = 7000;
    defaults.idle_timeout_ms = 0;  // none unless asked
    samples::ServerArgs args = samples::parse_server_args(argc, argv, "echo_server", defaults);
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    auto handler = [shutdown = options.shutdown, idle = args.idle_timeout()](pollen::net::TcpStream stream,
                                                                             pollen::net::SocketAddr) {
        (void)stream.set_nodelay(true);  // echoes are small: do not wait to batch them
        return EchoConnection(std::move(stream), shutdown, idle);
    };
    return samples::run_server(rt, args, "echo_server", handler, options);
}
