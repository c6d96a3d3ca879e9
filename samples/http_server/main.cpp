// http_server: a static file server, HTTP/1.1 from scratch on pollen.
//
//     http_server [--root DIR] [--port P] [--threads N] [--host A]   (P=0 picks a free port)
//
// GET and HEAD of the files under DIR (default "."): keep-alive and
// pipelining, Content-Type by extension, index.html or a generated listing
// for folders, files streamed in chunks through pollen::fs. Refuses what a
// public server must: heads over 8 KiB (431), bodies over 1 MiB (413),
// malformed requests (400), other methods (405), and any path leading out of
// DIR (403 for "..", 404 for a symlink pointing out).
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

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "connection.hpp"

int main(int argc, char** argv) {
    std::string root_arg = ".";
    samples::ServerArgs args = samples::parse_server_args(
        argc, argv, "http_server", 8080,
        [&](std::string_view flag, std::string_view value) {
            if (flag != "--root") return false;
            root_arg = value;
            return true;
        },
        "[--root DIR]");
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
    auto handler = [shared, shutdown = options.shutdown](pollen::net::TcpStream stream, pollen::net::SocketAddr) {
        (void)stream.set_nodelay(true);  // a pipelined answer should not wait for the next
        // A connection's error (a reset, a vanished client) ends that connection only.
        return http_server::HttpConnection(std::move(stream), shared, shutdown);
    };
    return samples::run_server(rt, args, "http_server", handler, options);
}
