#pragma once
/// HttpConnection: one client of http_server, the future Rust would write as
///
///     async fn handle(stream: TcpStream, root, shutdown) -> io::Result<()> {
///         let mut requests = FramedRead::new(stream, RequestCodec::new(limits));
///         loop {
///             let Some(next) = requests.next().await else { return Ok(()) };  // idle: a shutdown ends it too
///             let req = take(next)?;                         // a bad request: its error status, then close
///             let reply = serve_static(root, &req).await;    // pollen::fs on the blocking pool
///             requests.get_mut().write_all(&head(&reply)).await?;
///             while let Some(chunk) = reply.file.read(&mut buf).await? {  // streamed, one chunk at a time
///                 requests.get_mut().write_all(chunk).await?;
///             }
///             if !req.keep_alive { break }
///         }
///         let stream = requests.get_mut();
///         stream.shutdown().await?;                          // linger: FIN, then drop what still comes
///         select! { _ = drain(stream) => {}, _ = sleep(1s) => {} }
///         Ok(())
///     }
///
/// and its poll is that body, line for line, between POLLEN_BEGIN and
/// POLLEN_END (pollen::Async). Ready with Err when the client resets or the
/// file fails under it: either way the connection is over.
///
/// The stream is read through the codec (RequestCodec: request heads out,
/// bodies dropped) and written directly, one after the other. Pipelined
/// requests wait in the FramedRead's buffer and are answered one after the
/// other, so answers go out in order. The shutdown token is looked at
/// only between requests (and while lingering): an answer is never cut in
/// half by it (the server's grace period bounds how long that may take).
/// Destroying it mid-way closes the connection, and the file it streams.
/// Polled by one thread at a time, as any task.
#include <pollen.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "request_codec.hpp"
#include "static_files.hpp"

namespace http_server {

class HttpConnection : public pollen::Async<HttpConnection, pollen::io::Result<void>> {
public:
    HttpConnection(pollen::net::TcpStream stream, std::shared_ptr<const std::filesystem::path> root,
                   const pollen::CancellationToken& shutdown, Limits limits = {});

    pollen::Poll<Output> poll(pollen::Context& cx);

private:
    using Requests = pollen::codec::FramedRead<pollen::net::TcpStream, RequestCodec>;

    pollen::net::TcpStream& stream() { return requests_.get_mut(); }
    auto next_request();
    pollen::io::Result<void> take(Requests::Item next);
    auto drain_input();
    std::span<std::byte> next_chunk();

    Requests requests_;
    std::shared_ptr<const std::filesystem::path> root_;
    pollen::WaitForCancellation shutdown_;

    // The request being answered, and its answer.
    std::optional<Requests::Item> next_;  ///< what the codec gave last
    std::string target_;
    int refuse_ = 0;  ///< an error status to answer with, instead of looking for a file
    bool keep_alive_ = true;
    bool head_only_ = false;
    Reply reply_;
    std::string out_;                     ///< the head, and the body when it is a string
    std::uint64_t remaining_ = 0;         ///< file bytes still to send
    std::size_t n_ = 0;                   ///< what the last file read gave
    std::unique_ptr<std::byte[]> chunk_;  ///< one piece of the file; allocated for the first file sent
    POLLEN_FRAME;
};

}  // namespace http_server
