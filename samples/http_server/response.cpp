// response: status lines, headers and error bodies.
#include "response.hpp"

namespace http_server {

std::string_view reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 301: return "Moved Permanently";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 413: return "Content Too Large";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 505: return "HTTP Version Not Supported";
        default: return "Unknown";
    }
}

void append_head(std::string& out, const ResponseHead& head) {
    out += "HTTP/1.1 ";
    out += std::to_string(head.status);
    out += ' ';
    out += reason_phrase(head.status);
    out += "\r\nServer: pollen-http_server\r\nContent-Type: ";
    out += head.content_type;
    out += "\r\nContent-Length: ";
    out += std::to_string(head.content_length);
    if (head.status == 405) out += "\r\nAllow: GET, HEAD";
    if (!head.location.empty()) {
        out += "\r\nLocation: ";
        out += head.location;
    }
    if (head.close) out += "\r\nConnection: close";
    out += "\r\n\r\n";
}

std::string error_body(int status) {
    return std::to_string(status) + " " + std::string(reason_phrase(status)) + "\n";
}

}  // namespace http_server
