// expect: pollen::select_on: every branch's handler must give the same type
// select_on is ready with the winning handler's result, so every handler (and
// otherwise) must give one type, as every arm of Tokio's select! must.
#include <pollen.hpp>
#include <pollen/core/select_on.hpp>

#include <chrono>
#include <string>

using namespace std::chrono_literals;

int main() {
    auto rt = pollen::Runtime::builder().build();
    auto first = rt.block_on(pollen::select_on(pollen::branch(pollen::time::sleep(10ms), [] { return 1; }),
                                               pollen::branch(pollen::time::sleep(20ms), [] { return std::string("two"); })));
    (void)first;
}
