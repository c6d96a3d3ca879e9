#pragma once
/// HttpGet: the crawler's HTTP/1.1 client, one GET on its own connection,
/// the future of
///
///     async fn get(url) -> Result<Page, String> {
///         let addrs = lookup_host(url.host, url.port).await?;
///         let mut s = connect_first(addrs).await?;          // each address in turn
///         s.write_all(request(url)).await?;
///         loop {                                           // the head, then the body if HTML
///             let n = s.read(&mut buf).await?;
///             in.extend(&buf[..n]);
///             if let Some(done) = check_response(&in, n == 0) { return done }
///         }
///     }
///
/// written top to bottom in its poll (pollen::Async); each `?` prefixes the
/// error with the step that failed ("lookup", "connect", "write", "read").
/// It asks for `Connection: close`, and reads a body only for a 2xx HTML
/// answer (the links are all it wants): other answers end once their head is
/// in. The body is framed by Content-Length, chunked encoding, or the end of
/// the connection, and capped (a longer one is an error). Destroying it
/// mid-way (a timeout) closes the connection or abandons the lookup. Polled
/// by one thread at a time, as any future.
#include <pollen.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "response_parser.hpp"
#include "url.hpp"

namespace crawler {

struct Page {
    int status = 0;
    std::string content_type;
    std::string location;  ///< of a redirect
    std::string body;      ///< only for a 2xx text/html answer
    bool is_html() const;
};

class HttpGet : public pollen::Async<HttpGet, pollen::Result<Page, std::string>> {
public:
    explicit HttpGet(Url url, std::size_t max_body = 8 * 1024 * 1024);

    pollen::Poll<Output> poll(pollen::Context& cx);

private:
    /// Ready when the response is complete (or broken) given what is in in_.
    std::optional<Output> check_response(bool at_eof);

    Url url_;
    std::size_t max_body_;
    std::string request_;
    std::vector<pollen::net::SocketAddr> addrs_;
    std::size_t next_addr_ = 0;
    std::optional<pollen::io::Result<pollen::net::TcpStream>> connected_;
    std::string connect_error_;
    std::optional<pollen::net::TcpStream> stream_;
    std::vector<char> buf_ = std::vector<char>(16 * 1024);  ///< one read's worth
    std::size_t n_ = 0;
    std::string in_;
    std::optional<ResponseHead> head_;
    POLLEN_FRAME;
};

}  // namespace crawler
