// libFuzzer entry for samples/mini_redis's RESP parsers (see resp_parser.hpp
// for the input format and the properties checked).
#include <cstdio>
#include <cstdlib>

#include "resp_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string broken = pollen::fuzz::resp_parser(data, size);
    if (!broken.empty()) {
        std::fprintf(stderr, "resp_parser: %s\n", broken.c_str());
        std::abort();
    }
    return 0;
}
