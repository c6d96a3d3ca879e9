// http_get: one GET over a fresh TCP connection (see the header).
#include "http_get.hpp"

#include <span>

using pollen::Context;
using pollen::Poll;

namespace crawler {

namespace {

using Output = HttpGet::Output;

/// The map_err of a failed step: "read: Connection reset by peer".
auto failed(std::string what) {
    return [what = std::move(what)](const std::error_code& e) { return what + ": " + e.message(); };
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

}  // namespace

bool Page::is_html() const { return starts_with_icase(content_type, "text/html"); }

HttpGet::HttpGet(Url url, std::size_t max_body) : url_(std::move(url)), max_body_(max_body) {
    request_ = "GET " + url_.path + " HTTP/1.1\r\nHost: " + url_.authority() +
               "\r\nUser-Agent: pollen-crawler\r\nAccept: text/html, */*\r\nConnection: close\r\n\r\n";
}

Poll<Output> HttpGet::poll(Context& cx) {
    POLLEN_BEGIN(cx);
    POLLEN_LET_TRY(addrs_, pollen::net::lookup_host(url_.host, url_.port).map_err(failed("lookup " + url_.host)));
    while (!stream_) {
        if (next_addr_ == addrs_.size())
            POLLEN_RETURN(pollen::Err("connect " + url_.authority() + ": " +
                                      (connect_error_.empty() ? std::string("no address") : connect_error_)));
        POLLEN_LET(connected_, pollen::net::TcpStream::connect(addrs_[next_addr_++]));
        if (connected_->is_ok()) stream_.emplace(std::move(*connected_).value());
        else connect_error_ = connected_->error().message();  // and on to the next address
    }
    POLLEN_AWAIT_TRY(pollen::io::write_all(*stream_, request_).map_err(failed("write")));
    for (;;) {
        POLLEN_LET_TRY(n_, pollen::io::read(*stream_, std::as_writable_bytes(std::span(buf_))).map_err(failed("read")));
        in_.append(buf_.data(), n_);
        if (auto done = check_response(n_ == 0)) POLLEN_RETURN(std::move(*done));
    }
    POLLEN_END;
}

std::optional<Output> HttpGet::check_response(bool at_eof) {
    if (!head_) {
        auto parsed = parse_response_head(in_);
        if (auto* bad = std::get_if<Malformed>(&parsed)) return Output(pollen::Err("bad response: " + bad->why));
        if (std::holds_alternative<Incomplete>(parsed)) {
            if (at_eof) return Output(pollen::Err(std::string("connection closed before a complete response")));
            return std::nullopt;
        }
        head_ = std::get<ResponseHead>(std::move(parsed));
    }
    Page page;
    page.status = head_->status;
    page.content_type = head_->content_type;
    page.location = head_->location;
    bool want_body = page.status >= 200 && page.status < 300 && page.is_html();
    if (!want_body) return Output(pollen::Ok(std::move(page)));

    std::string_view body = std::string_view(in_).substr(head_->head_len);
    if (body.size() > max_body_ + 64 * 1024) return Output(pollen::Err(std::string("response body too large")));
    if (head_->chunked) {
        auto decoded = decode_chunked(body);
        if (auto* s = std::get_if<std::string>(&decoded)) {
            page.body = std::move(*s);
            return Output(pollen::Ok(std::move(page)));
        }
        if (auto* bad = std::get_if<Malformed>(&decoded)) return Output(pollen::Err("bad chunked body: " + bad->why));
        if (at_eof) return Output(pollen::Err(std::string("connection closed inside a chunked body")));
        return std::nullopt;
    }
    if (head_->content_length) {
        if (*head_->content_length > max_body_) return Output(pollen::Err(std::string("response body too large")));
        if (body.size() >= *head_->content_length) {
            page.body = body.substr(0, *head_->content_length);
            return Output(pollen::Ok(std::move(page)));
        }
        if (at_eof) return Output(pollen::Err(std::string("connection closed before the whole body")));
        return std::nullopt;
    }
    if (!at_eof) return std::nullopt;  // no length: the body ends with the connection
    page.body = body;
    return Output(pollen::Ok(std::move(page)));
}

}  // namespace crawler
