// echo_server: a concurrent TCP echo server, one task per connection, with a
// graceful shutdown on Ctrl-C (SIGINT) or SIGTERM.
//
//     echo_server [--port P] [--threads N] [--host A]     (P=0 picks a free port)
//
// Prints `listening port=P` on stdout once it accepts connections. On a
// signal it stops accepting, asks every connection to finish (each one ends
// after the echo it is writing, at its next wait for input), waits up to two
// seconds for them, and exits 0.
//
// EchoConnection below is the state machine that an `async fn` would be in
// Rust, its poll written by hand: loop read -> write back. It is not moved
// after its first poll. The accept loop, the signals and the drain are
// pollen::net::serve (net/serve.hpp), whose poll is hand-written the same way.
#include <pollen.hpp>

#include "server_args.hpp"

#include <memory>

using pollen::Context;
using pollen::Poll;

namespace {

/// One client: reads into a buffer and writes every byte back, until the
/// peer closes, an error, or the shutdown token (checked only when nothing is
/// left to write, so an echo is never cut in half).
class EchoConnection : public pollen::FutureExt<EchoConnection> {
public:
    using Output = void;

    EchoConnection(pollen::net::TcpStream stream, const pollen::CancellationToken& shutdown)
        : stream_(std::move(stream)), shutdown_(shutdown.cancelled()), buf_(new std::byte[kBufSize]) {}

    Poll<void> poll(Context& cx) {
        for (;;) {
            while (written_ < filled_) {
                auto p = stream_.poll_write(cx, {buf_.get() + written_, filled_ - written_});
                if (p.is_pending()) return pollen::pending;
                auto r = p.take();
                if (r.is_err() || r.value() == 0) return pollen::ready();
                written_ += r.value();
            }
            if (shutdown_.poll(cx).is_ready()) return pollen::ready();
            auto p = stream_.poll_read(cx, {buf_.get(), kBufSize});
            if (p.is_pending()) return pollen::pending;
            auto r = p.take();
            if (r.is_err() || r.value() == 0) return pollen::ready();  // reset, or end of stream
            filled_ = r.value();
            written_ = 0;
        }
    }

private:
    static constexpr std::size_t kBufSize = 16 * 1024;
    pollen::net::TcpStream stream_;
    pollen::WaitForCancellation shutdown_;
    std::unique_ptr<std::byte[]> buf_;
    std::size_t filled_ = 0, written_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    samples::ServerArgs args = samples::parse_server_args(argc, argv, "echo_server", 7000);
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    pollen::net::ServeOptions options;  // SIGINT/SIGTERM, then two seconds to finish
    auto handler = [shutdown = options.shutdown](pollen::net::TcpStream stream, pollen::net::SocketAddr) {
        (void)stream.set_nodelay(true);  // echoes are small: do not wait to batch them
        return EchoConnection(std::move(stream), shutdown);
    };
    return samples::run_server(rt, args, "echo_server", handler, options);
}
