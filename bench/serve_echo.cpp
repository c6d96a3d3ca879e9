// The `serve echo` connection task: read into a reusable buffer, write it all
// back, repeat until the peer closes (Tokio anchor: echo_conn).
#include <memory>

#include "serve.hpp"

namespace pollen::bench::serve {

namespace {

class EchoConn : public FutureExt<EchoConn> {
public:
    using Output = void;
    explicit EchoConn(net::TcpStream s) : stream_(std::move(s)), buf_(new std::byte[kBufSize]) {}

    Poll<void> poll(Context& cx) {
        for (;;) {
            while (written_ < filled_) {
                auto p = stream_.poll_write(cx, {buf_.get() + written_, filled_ - written_});
                if (p.is_pending()) return pending;
                auto r = p.take();
                if (r.is_err() || r.value() == 0) return ready();
                written_ += r.value();
            }
            auto p = stream_.poll_read(cx, {buf_.get(), kBufSize});
            if (p.is_pending()) return pending;
            auto r = p.take();
            if (r.is_err() || r.value() == 0) return ready();
            filled_ = r.value();
            written_ = 0;
        }
    }

private:
    static constexpr std::size_t kBufSize = 16 * 1024;
    net::TcpStream stream_;
    std::unique_ptr<std::byte[]> buf_;
    std::size_t filled_ = 0, written_ = 0;
};

}  // namespace

int serve_echo(const Config& config) {
    return run(config, [](net::TcpStream s) { return EchoConn(std::move(s)); });
}

}  // namespace pollen::bench::serve
