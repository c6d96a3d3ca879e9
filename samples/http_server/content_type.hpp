#pragma once
// content_type: the Content-Type a file is served with, from its extension
// alone (no sniffing), the way most static servers do it.
#include <string_view>

namespace http_server {

/// e.g. "index.html" → "text/html; charset=utf-8"; unknown → application/octet-stream.
std::string_view content_type_for(std::string_view file_name);

}  // namespace http_server
