// http_hello: a minimal HTTP/1.1 server that answers "Hello, World!".
//
//     http_hello [--port P] [--threads N] [--host A]     (P=0 picks a free port)
//
// Keep-alive and pipelining: every complete request in the buffer is answered,
// in order, with one write. A head over 8 KiB gets 431, a malformed request
// line or header 400, and both close the connection, as does a request with
// `Connection: close` (or HTTP/1.0 without keep-alive) once it is answered.
// Prints `listening port=P` once ready; SIGINT/SIGTERM stop it (exit 0) after
// the open connections finish what they are doing, two seconds at most: the
// accept loop, the signals and the drain are pollen::net::serve.
#include <pollen.hpp>

#include "../server_args.hpp"

#include <cstring>
#include <memory>
#include <span>
#include <string>

#include "http.hpp"

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;

namespace {

/// One client connection, the future of
///
///     async fn handle(mut stream: TcpStream, shutdown) -> io::Result<()> {
///         while !closing {
///             let n = stream.read(&mut buf[filled..]).await?;  // idle: a shutdown reads as 0
///             if n == 0 { return Ok(()) }
///             answer_buffered(&mut out);                        // each complete request, in order
///             stream.write_all(&out).await?;                    // one write for all of them
///         }
///         stream.shutdown().await?;                             // linger: FIN, then drop what comes
///         select! { _ = drain(&mut stream) => {}, _ = sleep(1s) => {} }
///         Ok(())
///     }
///
/// Closing is polite: after the last answer it half-closes (FIN) and reads
/// until the client closes too (or a second passes), so a request still in
/// flight cannot turn our close into a reset that would destroy the answer
/// before the client read it.
class HttpConnection : public pollen::Async<HttpConnection, pollen::io::Result<void>> {
public:
    HttpConnection(pollen::net::TcpStream stream, const pollen::CancellationToken& shutdown)
        : stream_(std::move(stream)), shutdown_(shutdown.cancelled()), in_(new char[kBufSize]) {}

    Poll<Output> poll(Context& cx);  // the body, below the class

private:
    static constexpr std::size_t kBufSize = http_hello::kMaxHead + 1024;

    /// Appends an answer for each complete request at the front of in_, then
    /// moves what is left (a partial request) to the start.
    void answer_buffered() {
        using Kind = http_hello::Parsed::Kind;
        std::size_t start = 0;
        while (!closing_) {
            if (skip_ > 0) {  // the body of the last request: not ours to read
                std::size_t n = std::min(skip_, filled_ - start);
                start += n;
                skip_ -= n;
                if (skip_ > 0) break;
            }
            auto req = http_hello::parse_request({in_.get() + start, filled_ - start});
            if (req.kind == Kind::Incomplete) break;
            closing_ = !req.keep_alive;
            http_hello::append_response(out_, req.status, req.head_only, closing_);
            start += req.head_len;
            skip_ = req.content_length;
        }
        if (start > 0) {
            std::memmove(in_.get(), in_.get() + start, filled_ - start);
            filled_ -= start;
        }
    }

    /// One read into the free end of the buffer. With nothing buffered, a
    /// shutdown reads as the end of the stream: the connection leaves between
    /// requests, never inside one.
    auto read_more() {
        return pollen::poll_fn([this](Context& cx) -> Poll<pollen::io::Result<std::size_t>> {
            if (filled_ == 0 && shutdown_.poll(cx).is_ready()) return pollen::ready(pollen::Ok(std::size_t{0}));
            return stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get() + filled_, kBufSize - filled_)));
        });
    }

    /// Half-closed: reads and drops until the client closes too (or resets),
    /// or the server stops (then it does not wait).
    auto drain_input() {
        return pollen::poll_fn([this](Context& cx) -> Poll<void> {
            for (;;) {
                auto p = stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get(), kBufSize)));
                if (p.is_pending()) return shutdown_.poll(cx);
                if (auto r = p.take(); r.is_err() || r.value() == 0) return pollen::ready();
            }
        });
    }

    pollen::net::TcpStream stream_;
    pollen::WaitForCancellation shutdown_;
    std::unique_ptr<char[]> in_;
    std::size_t filled_ = 0;
    std::size_t skip_ = 0;
    std::size_t n_ = 0;  // what the last read gave
    std::string out_;
    bool closing_ = false;
    POLLEN_FRAME;
};

Poll<HttpConnection::Output> HttpConnection::poll(Context& cx) {
    POLLEN_BEGIN(cx);
    while (!closing_) {
        POLLEN_LET_TRY(n_, read_more());
        if (n_ == 0) POLLEN_RETURN(pollen::Ok());  // the client is done, or the server stops
        filled_ += n_;
        answer_buffered();
        POLLEN_AWAIT_TRY(pollen::io::write_all(stream_, out_));
        out_.clear();
    }
    POLLEN_AWAIT_TRY(pollen::io::shutdown(stream_));
    POLLEN_AWAIT(pollen::race(drain_input(), pollen::time::sleep(1s)));
    POLLEN_RETURN(pollen::Ok());
    POLLEN_END;
}

}  // namespace

int main(int argc, char** argv) {
    samples::ServerArgs args = samples::parse_server_args(argc, argv, "http_hello", 8080);
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    pollen::net::ServeOptions options;  // SIGINT/SIGTERM, then two seconds to finish
    auto handler = [shutdown = options.shutdown](pollen::net::TcpStream stream, pollen::net::SocketAddr) {
        (void)stream.set_nodelay(true);
        // A connection's error (a reset, a vanished client) ends that connection only.
        return HttpConnection(std::move(stream), shutdown);
    };
    return samples::run_server(rt, args, "http_hello", handler, options);
}
