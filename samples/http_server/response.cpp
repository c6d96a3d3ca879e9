// response: status lines, headers and error bodies.
#include "response.hpp"

namespace http_server {

std::string_view reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 206: return "Partial Content";
        case 301: return "Moved Permanently";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 413: return "Content Too Large";
        case 416: return "Range Not Satisfiable";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 503: return "Service Unavailable";
        case 505: return "HTTP Version Not Supported";
        default: return "Unknown";
    }
}

namespace {
void header(std::string& out, std::string_view name, std::string_view value) {
    if (value.empty()) return;
    out += "\r\n";
    out += name;
    out += ": ";
    out += value;
}
}  // namespace

void append_head(std::string& out, const ResponseHead& head) {
    out += "HTTP/1.1 ";
    out += std::to_string(head.status);
    out += ' ';
    out += reason_phrase(head.status);
    out += "\r\nServer: pollen-http_server";
    header(out, "Date", head.date);
    if (head.status != 304) {
        header(out, "Content-Type", head.content_type);
        header(out, "Content-Length", std::to_string(head.content_length));
    }
    header(out, "Last-Modified", head.last_modified);
    header(out, "ETag", head.etag);
    header(out, "Content-Range", head.content_range);
    if (head.accept_ranges) out += "\r\nAccept-Ranges: bytes";
    if (head.status == 405) out += "\r\nAllow: GET, HEAD";
    header(out, "Location", head.location);
    if (head.close) out += "\r\nConnection: close";
    else if (head.keep_alive) out += "\r\nConnection: keep-alive";
    out += "\r\n\r\n";
}

std::string error_body(int status) {
    return std::to_string(status) + " " + std::string(reason_phrase(status)) + "\n";
}

}  // namespace http_server
