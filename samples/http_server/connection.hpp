#pragma once
// connection: one client of http_server, the state machine an `async fn
// handle(stream)` would be in Rust:
//
//     loop {
//         let req = read_head(&mut stream).await?;     // ReadHead (and skip the body)
//         let reply = serve_static(root, &req).await;  // Resolve (pollen::fs on the blocking pool)
//         stream.write_all(head).await?;                // WriteHead
//         while let Some(chunk) = file.read().await? {  // SendFile, one chunk at a time
//             stream.write_all(chunk).await?;
//         }
//         if !req.keep_alive { break }
//     }
//     linger_close(stream).await                        // Linger
//
// Pipelined requests wait in the input buffer and are answered one after
// the other, so answers go out in order. A malformed request is answered
// with its error status and `Connection: close`. The shutdown token is
// looked at only between requests: an answer is never cut in half by it
// (the server's grace period bounds how long that may take).
#include <pollen.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "request_parser.hpp"
#include "static_files.hpp"

namespace http_server {

class HttpConnection : public pollen::FutureExt<HttpConnection> {
public:
    using Output = void;

    HttpConnection(pollen::net::TcpStream stream, std::shared_ptr<const std::filesystem::path> root,
                   const pollen::CancellationToken& shutdown, Limits limits = {});

    pollen::Poll<void> poll(pollen::Context& cx);

private:
    enum class State { ReadHead, Resolve, WriteHead, SendFile, Linger };
    enum class Step { Continue, Pending, Done };

    Step read_head(pollen::Context& cx);
    Step resolve(pollen::Context& cx);
    Step write_head(pollen::Context& cx);
    Step send_file(pollen::Context& cx);
    Step linger(pollen::Context& cx);

    void start(const Request& req);
    void reply(Reply r);
    Step finish_response();
    void consume(std::size_t n);

    pollen::net::TcpStream stream_;
    std::shared_ptr<const std::filesystem::path> root_;
    pollen::WaitForCancellation shutdown_;
    Limits limits_;
    State state_ = State::ReadHead;

    // Input: bytes received and not yet consumed, and body bytes still to skip.
    std::unique_ptr<char[]> in_;
    std::size_t in_cap_;
    std::size_t filled_ = 0;
    std::uint64_t skip_ = 0;

    // The request being answered.
    bool keep_alive_ = true;
    bool head_only_ = false;
    std::optional<pollen::BoxFuture<Reply>> resolving_;
    std::string out_;
    std::size_t written_ = 0;

    // Streaming a file: one chunk read from it, then written out.
    std::optional<pollen::fs::File> file_;
    std::uint64_t remaining_ = 0;
    std::unique_ptr<std::byte[]> chunk_;
    std::size_t chunk_len_ = 0, chunk_written_ = 0;

    std::optional<pollen::time::Sleep> linger_;
};

}  // namespace http_server
