// expect: pollen::then: the closure must accept the future's output
// The continuation of a future of int takes a std::string.
#include <pollen.hpp>

#include <string>

int main() {
    auto rt = pollen::Runtime::builder().build();
    auto len = pollen::future::ready(42).then([](std::string s) { return pollen::future::ready(s.size()); });
    return static_cast<int>(rt.block_on(std::move(len)));
}
