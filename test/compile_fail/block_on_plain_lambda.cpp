// expect: pollen::Runtime::block_on takes a future
// block_on drives a future; a closure returning one is not one.
#include <pollen.hpp>

int main() {
    auto rt = pollen::Runtime::builder().build();
    int answer = rt.block_on([] { return pollen::future::ready(42); });
    return answer;
}
