#pragma once
// http_get: the crawler's HTTP/1.1 client, one GET on its own connection,
// written as the state machine of
//
//     async fn get(url) -> Result<Page, String> {
//         let addrs = lookup_host(url.host, url.port).await?;  // Resolve
//         let mut s = connect_first(addrs).await?;              // Connect: each address in turn
//         s.write_all(request(url)).await?;                     // Write
//         read_response(&mut s).await                           // Read: head, then the body if HTML
//     }
//
// It asks for `Connection: close`, and reads a body only for a 2xx HTML
// answer (the links are all it wants): other answers end once their head is
// in. The body is framed by Content-Length, chunked encoding, or the end of
// the connection, and capped (a longer one is an error). Destroying it
// mid-way (a timeout) closes the connection or abandons the lookup.
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

class HttpGet : public pollen::FutureExt<HttpGet> {
public:
    using Output = pollen::Result<Page, std::string>;

    explicit HttpGet(Url url, std::size_t max_body = 8 * 1024 * 1024);

    pollen::Poll<Output> poll(pollen::Context& cx);

private:
    enum class State { Resolve, Connect, Write, Read };

    /// Ready when the response is complete (or broken) given what is in in_.
    std::optional<Output> check_response(bool at_eof);

    Url url_;
    std::size_t max_body_;
    State state_ = State::Resolve;
    pollen::net::LookupHost lookup_;
    std::vector<pollen::net::SocketAddr> addrs_;
    std::size_t next_addr_ = 0;
    std::string connect_error_;
    std::optional<pollen::net::Connect<pollen::net::TcpStream>> connect_;
    std::optional<pollen::net::TcpStream> stream_;
    std::string request_;
    std::size_t written_ = 0;
    std::string in_;
    std::optional<ResponseHead> head_;
};

}  // namespace crawler
