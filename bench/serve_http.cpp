// The `serve http` connection task (Tokio anchor: http_conn): every request
// head (up to its blank line) gets the same preformatted 200; requests that
// arrive together (pipelining) are answered with one write. No bodies are
// expected (the load is wrk's GETs); a head that fills the buffer closes.
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "serve.hpp"

namespace pollen::bench::serve {

namespace {

constexpr std::string_view kResponse =
    "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!";

class HttpConn : public FutureExt<HttpConn> {
public:
    using Output = void;
    explicit HttpConn(net::TcpStream s) : stream_(std::move(s)), in_(new char[kBufSize]) {
        out_.reserve(kResponse.size() * 16);
    }

    Poll<void> poll(Context& cx) {
        for (;;) {
            while (written_ < out_.size()) {
                auto p = stream_.poll_write(cx, std::as_bytes(std::span(out_).subspan(written_)));
                if (p.is_pending()) return pending;
                auto r = p.take();
                if (r.is_err() || r.value() == 0) return ready();
                written_ += r.value();
            }
            out_.clear();
            written_ = 0;
            if (filled_ == kBufSize) return ready();  // a head larger than the buffer

            auto p = stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get() + filled_, kBufSize - filled_)));
            if (p.is_pending()) return pending;
            auto r = p.take();
            if (r.is_err() || r.value() == 0) return ready();
            filled_ += r.value();
            answer();
        }
    }

private:
    static constexpr std::size_t kBufSize = 16 * 1024;

    /// One response per complete head; keeps a partial head at the front.
    void answer() {
        std::string_view data(in_.get(), filled_);
        std::size_t start = 0;
        // Re-scan at most 3 bytes before the new data for a split terminator.
        std::size_t from = scanned_ >= 3 ? scanned_ - 3 : 0;
        for (;;) {
            std::size_t at = data.find("\r\n\r\n", from);
            if (at == std::string_view::npos) break;
            out_.append(kResponse);
            start = from = at + 4;
        }
        scanned_ = filled_;
        if (start > 0) {
            std::memmove(in_.get(), in_.get() + start, filled_ - start);
            filled_ -= start;
            scanned_ = filled_;
        }
    }

    net::TcpStream stream_;
    std::unique_ptr<char[]> in_;
    std::size_t filled_ = 0;
    std::size_t scanned_ = 0;  // in_[..scanned_] holds no complete terminator
    std::string out_;
    std::size_t written_ = 0;
};

}  // namespace

int serve_http(const Config& config) {
    return run(config, [](net::TcpStream s) { return HttpConn(std::move(s)); });
}

}  // namespace pollen::bench::serve
