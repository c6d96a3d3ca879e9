// http_server: a static file server, HTTP/1.1 from scratch on pollen.
//
//     http_server [--root DIR] [--port P] [--threads N] [--host A]   (P=0 picks a free port)
//                 [--header-timeout-ms T] [--idle-timeout-ms T] [--write-timeout-ms T]
//                 [--max-connections N]
//
// GET and HEAD of the files under DIR (default "."): keep-alive and
// pipelining, Content-Type by extension, index.html or a generated listing
// for folders, files streamed in chunks through pollen::fs. Refuses what a
// public server must: heads over 8 KiB (431), bodies over 1 MiB (413),
// malformed requests (400), other methods (405), and any path leading out of
// DIR (403 for "..", 404 for a symlink pointing out). Files answer Range
// (206, 416), If-None-Match and If-Modified-Since (304) with their ETag and
// Last-Modified; every answer has a Date.
//
// Slow and idle clients are cut off with nginx's timeouts and defaults (0:
// none): --header-timeout-ms (60000) for a whole request head, answered 408
// when it runs out; --idle-timeout-ms (75000) between requests; and
// --write-timeout-ms (60000) for a write that makes no progress. Past
// --max-connections N (0, the default: no cap) a new client is accepted,
// answered 503 Service Unavailable and closed, while the others are served.
//
// The pieces, each in its own file: request_parser (pure, fuzzable),
// request_codec (the parser as a codec::Decoder: request heads out, bodies
// dropped), target_path (request target → safe relative path), static_files
// (the pollen::fs chain that finds the answer), connection (one client, an
// async body reading through a codec::FramedRead), and the accept loop with
// its graceful shutdown, pollen::net::serve as every server sample uses it:
// on SIGINT or SIGTERM it stops accepting, lets each connection finish the
// answer it is sending (two seconds at most), and exits 0.
#include <pollen.hpp>

#include "../server_args.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "connection.hpp"
#include "response.hpp"

namespace {

/// What a client past --max-connections is told before the connection closes.
std::string unavailable_reply() {
    std::string body = http_server::error_body(503);
    http_server::ResponseHead head;
    head.status = 503;
    head.content_length = body.size();
    head.close = true;
    std::string out;
    http_server::append_head(out, head);
    return out + body;
}

}  // namespace

int main(int argc, char** argv) {
    std::string root_arg = ".";
    http_server::Timeouts timeouts;
    samples::ServerArgs defaults;
    defaults.port = 8080;
    defaults.idle_timeout_ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeouts.idle).count();
    samples::ServerArgs args = samples::parse_server_args(
        argc, argv, "http_server", defaults,
        [&](std::string_view flag, std::string_view value) {
            std::uint64_t n = 0;
            constexpr std::uint64_t kDay = 24ull * 3600 * 1000;
            auto ms = [&](pollen::time::Duration& out) {
                if (!samples::parse_uint(value, kDay, n)) return false;
                out = std::chrono::milliseconds(n);
                return true;
            };
            if (flag == "--root") root_arg = value;
            else if (flag == "--header-timeout-ms") return ms(timeouts.header);
            else if (flag == "--write-timeout-ms") return ms(timeouts.write);
            else return false;
            return true;
        },
        "[--root DIR] [--header-timeout-ms T] [--write-timeout-ms T]");
    timeouts.idle = args.idle_timeout();
    // Once, at startup, so every request compares against the real path.
    std::error_code ec;
    std::filesystem::path root = std::filesystem::canonical(root_arg, ec);
    if (ec || !std::filesystem::is_directory(root, ec)) {
        std::fprintf(stderr, "http_server: --root %s is not a folder\n", root_arg.c_str());
        return 2;
    }
    std::fprintf(stderr, "http_server: serving %s\n", root.c_str());
    auto shared = std::make_shared<const std::filesystem::path>(std::move(root));
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    pollen::net::ServeOptions options;  // SIGINT/SIGTERM, then two seconds to finish
    options.reject_when_full = unavailable_reply();  // past --max-connections
    auto handler = [shared, timeouts, shutdown = options.shutdown](pollen::net::TcpStream stream,
                                                                   pollen::net::SocketAddr) {
        (void)stream.set_nodelay(true);  // a pipelined answer should not wait for the next
        // A connection's error (a reset, a vanished client, a stalled write)
        // ends that connection only.
        return http_server::HttpConnection(std::move(stream), shared, shutdown, timeouts);
    };
    return samples::run_server(rt, args, "http_server", handler, options);
}
