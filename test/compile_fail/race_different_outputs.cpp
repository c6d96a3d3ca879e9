// expect: pollen::race: every future must have the same output type
// race is ready with the winner's output, so every future must have one output
// type. (pollen::select of two futures of different outputs is fine: its
// output is an Either saying which one won.)
#include <pollen.hpp>

#include <chrono>
#include <string>

using namespace std::chrono_literals;

int main() {
    auto rt = pollen::Runtime::builder().build();
    auto first = rt.block_on(pollen::race(pollen::time::sleep(10ms).map([] { return 1; }),
                                          pollen::time::sleep(20ms).map([] { return std::string("two"); })));
    (void)first;
}
