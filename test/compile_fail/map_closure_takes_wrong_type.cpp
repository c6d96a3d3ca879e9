// expect: pollen::map: the closure must accept the future's output
// A void future's map closure takes no parameter.
#include <pollen.hpp>

int main() {
    auto rt = pollen::Runtime::builder().build();
    int n = rt.block_on(pollen::yield_now().map([](int x) { return x + 1; }));
    return n;
}
