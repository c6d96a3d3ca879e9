// content_type: extension → media type table.
#include "content_type.hpp"

#include <array>
#include <utility>

#include "request_parser.hpp"

namespace http_server {

std::string_view content_type_for(std::string_view file_name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kTypes{{
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"txt", "text/plain; charset=utf-8"},
        {"md", "text/markdown; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"xml", "application/xml"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"ico", "image/x-icon"},
        {"webp", "image/webp"},
        {"pdf", "application/pdf"},
        {"wasm", "application/wasm"},
        {"gz", "application/gzip"},
    }};
    std::size_t dot = file_name.rfind('.');
    if (dot != std::string_view::npos && file_name.find('/', dot) == std::string_view::npos) {
        std::string_view ext = file_name.substr(dot + 1);
        for (const auto& [e, type] : kTypes)
            if (iequals(e, ext)) return type;
    }
    return "application/octet-stream";
}

}  // namespace http_server
