// libFuzzer entry for samples/http_server's request parser (see
// http_request.hpp for the input format and the properties checked).
#include <cstdio>
#include <cstdlib>

#include "http_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string broken = pollen::fuzz::http_request(data, size);
    if (!broken.empty()) {
        std::fprintf(stderr, "http_request: %s\n", broken.c_str());
        std::abort();
    }
    return 0;
}
