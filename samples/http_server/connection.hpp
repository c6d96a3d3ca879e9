#pragma once
/// HttpConnection: one client of http_server, the future Rust would write as
///
///     async fn handle(stream: TcpStream, root, shutdown, timeouts) -> io::Result<()> {
///         let stream = WriteTimeout::new(stream, timeouts.write);   // a stalled write fails
///         let mut requests = FramedRead::new(stream, RequestCodec::new(limits));
///         loop {
///             // idle: a shutdown ends it too; each wait has its deadline (below)
///             let Some(next) = next_request(&mut requests, timeouts).await else { return Ok(()) };
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
/// POLLEN_END (pollen::Async). Ready with Err when the client resets, a
/// write stalls past `Timeouts::write`, or the file fails under it: either
/// way the connection is over.
///
/// The stream is read through the codec (RequestCodec: request heads out,
/// bodies dropped) and written directly, one after the other. Pipelined
/// requests wait in the FramedRead's buffer and are answered one after the
/// other, so answers go out in order. The shutdown token is looked at
/// only between requests (and while lingering): an answer is never cut in
/// half by it (the server's grace period bounds how long that may take).
///
/// The waits for a request have nginx's deadlines (one time::Sleep, reset
/// as the wait changes kind): nothing of a request yet, `Timeouts::idle`
/// after an answer (keepalive_timeout; on a fresh connection the header
/// timeout runs from the accept instead, as nginx's does); part of a head,
/// `Timeouts::header` for the whole head from its first byte
/// (client_header_timeout: not renewed by each byte, so a client dripping a
/// byte a second is cut off); a body still arriving, `Timeouts::header`
/// between two reads (client_body_timeout). A head that times out is
/// answered 408 Request Timeout and the connection closed, as Apache's
/// mod_reqtimeout does (nginx closes without a word; a client that sent
/// part of a request learns why); an idle connection or a stalled body is
/// closed silently (there is no request to answer, and a 408 racing a
/// client's next request on a kept-alive connection would only confuse it).
///
/// Destroying it mid-way closes the connection, and the file it streams.
/// Polled by one thread at a time, as any task.
#include <pollen.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "request_codec.hpp"
#include "static_files.hpp"
#include "write_timeout.hpp"

namespace http_server {

/// How long a client may take, nginx's names and defaults; zero: no limit.
struct Timeouts {
    pollen::time::Duration header = std::chrono::seconds(60);  ///< client_header_timeout (and client_body_timeout)
    pollen::time::Duration idle = std::chrono::seconds(75);    ///< keepalive_timeout
    pollen::time::Duration write = std::chrono::seconds(60);   ///< send_timeout
};

class HttpConnection : public pollen::Async<HttpConnection, pollen::io::Result<void>> {
public:
    HttpConnection(pollen::net::TcpStream stream, std::shared_ptr<const std::filesystem::path> root,
                   const pollen::CancellationToken& shutdown, Timeouts timeouts = {}, Limits limits = {});

    pollen::Poll<Output> poll(pollen::Context& cx);

private:
    using Stream = WriteTimeout<pollen::net::TcpStream>;
    using Requests = pollen::codec::FramedRead<Stream, RequestCodec>;
    /// What the connection waits for, and so which deadline applies.
    enum class Wait { kNothing, kIdle, kHead, kBody };

    Stream& stream() { return requests_.get_mut(); }
    auto next_request();
    Wait waiting_now() const;
    bool read_timed_out(pollen::Context& cx);
    pollen::io::Result<void> take(Requests::Item next);
    auto drain_input();
    std::span<std::byte> next_chunk();

    Requests requests_;
    std::shared_ptr<const std::filesystem::path> root_;
    pollen::WaitForCancellation shutdown_;
    Timeouts timeouts_;

    // The deadline of the wait for a request.
    std::optional<pollen::time::Sleep> read_timer_;  ///< made at the first wait (the connection is pinned by then)
    Wait waiting_ = Wait::kNothing;                  ///< what read_timer_ is set for
    bool timer_armed_ = false;                       ///< false: that wait has no limit
    std::uint64_t body_left_ = 0;                    ///< the codec's, when read_timer_ was last set for a body
    bool answered_any_ = false;                      ///< a request came: the idle timeout applies from now on

    // The request being answered, and its answer.
    std::optional<Requests::Item> next_;  ///< what the codec gave last
    std::string target_;
    Preconditions pre_;
    int refuse_ = 0;  ///< an error status to answer with, instead of looking for a file
    bool keep_alive_ = true;
    bool echo_keep_alive_ = false;  ///< an HTTP/1.0 client asked to keep the connection: say it is kept
    bool head_only_ = false;
    Reply reply_;
    std::string out_;                     ///< the head, and the body when it is a string
    std::uint64_t remaining_ = 0;         ///< file bytes still to send
    std::size_t n_ = 0;                   ///< what the last file read gave
    std::unique_ptr<std::byte[]> chunk_;  ///< one piece of the file; allocated for the first file sent
    POLLEN_FRAME;
};

}  // namespace http_server
