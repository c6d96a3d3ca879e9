// expect: pollen::loop_fn: the body must return a future of a pollen::LoopStep<State, T>
// The body returns a future of the step (each iteration may wait); a step
// known at once is wrapped in pollen::future::ready(...).
#include <pollen.hpp>

int main() {
    auto rt = pollen::Runtime::builder().build();
    int total = rt.block_on(pollen::loop_fn(0, [](int i) -> pollen::LoopStep<int, int> {
        if (i == 10) return pollen::Break{i};
        return pollen::Continue{i + 1};
    }));
    return total;
}
