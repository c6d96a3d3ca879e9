// libFuzzer entry for BufReader's line framing (see buf_reader_lines.hpp for
// the input format and the properties checked). Built by `make fuzz`.
#include <cstdio>
#include <cstdlib>

#include "buf_reader_lines.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string broken = pollen::fuzz::buf_reader_lines(data, size);
    if (!broken.empty()) {
        std::fprintf(stderr, "buf_reader_lines: %s\n", broken.c_str());
        std::abort();
    }
    return 0;
}
