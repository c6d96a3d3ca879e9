// tcp_client: connects, sends a message, prints the reply, all under a
// time limit (time::timeout around the whole exchange).
//
//     tcp_client --port P [--host A] [--message M] [--timeout-ms T] [--threads N]
//
// The reply is what the server sends back before it has echoed as many bytes
// as were sent, or before it closes. Exit status: 0 with the reply on stdout,
// 1 on a connection error or the timeout (reason on stderr), 2 on bad usage.
#include <pollen.hpp>

#include <array>
#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

using pollen::Context;
using pollen::Poll;

namespace {

struct Args {
    std::string host = "127.0.0.1";
    std::optional<std::uint16_t> port;
    std::string message = "hello, pollen";
    std::uint64_t timeout_ms = 5000;
    std::size_t threads = 1;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "tcp_client: %s\nusage: tcp_client --port P [--host A] [--message M] [--timeout-ms T] "
                 "[--threads N]\n",
                 why);
    std::exit(2);
}

bool parse_uint(std::string_view s, std::uint64_t max, std::uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out <= max;
}

Args parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (i + 1 >= argc) usage("missing value after a flag");
        std::string_view value = argv[++i];
        std::uint64_t n = 0;
        if (flag == "--port" && parse_uint(value, 65535, n) && n > 0) a.port = static_cast<std::uint16_t>(n);
        else if (flag == "--host") a.host = value;
        else if (flag == "--message") a.message = value;
        else if (flag == "--timeout-ms" && parse_uint(value, 86'400'000, n)) a.timeout_ms = n;
        else if (flag == "--threads" && parse_uint(value, 1024, n) && n > 0) a.threads = n;
        else usage("bad flag or value");
    }
    if (!a.port) usage("--port is required");
    return a;
}

/// connect -> write the whole message -> read until as many bytes came back
/// (or the server closed). Ready with the reply or the first error:
///
///     async fn exchange(addr: SocketAddr, message: String) -> io::Result<String> {
///         let mut stream = TcpStream::connect(addr).await?;
///         stream.write_all(message.as_bytes()).await?;
///         let mut reply = String::new();
///         while reply.len() < message.len() {
///             let n = stream.read(&mut buf).await?;
///             if n == 0 { break }  // the server closed: what came is the reply
///             reply.push_str(&buf[..n]);
///         }
///         Ok(reply)
///     }
class Exchange : public pollen::Async<Exchange, pollen::io::Result<std::string>> {
public:
    Exchange(const pollen::net::SocketAddr& addr, std::string message) : addr_(addr), message_(std::move(message)) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(stream_, pollen::net::TcpStream::connect(addr_));
        POLLEN_AWAIT_TRY(pollen::io::write_all(*stream_, message_));
        while (reply_.size() < message_.size()) {
            POLLEN_LET_TRY(n_, pollen::io::read(*stream_, buf_));
            if (n_ == 0) break;  // the server closed: what came is the reply
            reply_.append(reinterpret_cast<const char*>(buf_.data()), n_);
        }
        POLLEN_RETURN(pollen::Ok(std::move(reply_)));
        POLLEN_END;
    }

private:
    pollen::net::SocketAddr addr_;
    std::string message_;
    std::optional<pollen::net::TcpStream> stream_;
    std::array<std::byte, 4096> buf_{};
    std::size_t n_ = 0;
    std::string reply_;
    POLLEN_FRAME;
};

}  // namespace

int main(int argc, char** argv) {
    Args args = parse_args(argc, argv);
    auto addr = pollen::net::SocketAddr::parse(args.host + ":" + std::to_string(*args.port));
    if (addr.is_err()) addr = pollen::net::SocketAddr::parse("[" + args.host + "]:" + std::to_string(*args.port));
    if (addr.is_err()) usage("bad --host (an IP address)");

    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    auto result = rt.block_on(pollen::time::timeout(std::chrono::milliseconds(args.timeout_ms),
                                                    Exchange(addr.value(), args.message)));
    if (result.is_err()) {
        std::fprintf(stderr, "tcp_client: %s after %llu ms\n", result.error().what().c_str(),
                     static_cast<unsigned long long>(args.timeout_ms));
        return 1;
    }
    auto& reply = result.value();
    if (reply.is_err()) {
        std::fprintf(stderr, "tcp_client: %s:%u: %s\n", args.host.c_str(), unsigned(*args.port),
                     reply.error().message().c_str());
        return 1;
    }
    std::printf("%s\n", reply.value().c_str());
    return 0;
}
