// expect: return type
// then: pollen::loop_fn: the body's future must output a pollen::LoopStep<State, T>
// A closure returning Break{...} in one branch and Continue{...} in another
// needs the return type `-> pollen::LoopStep<State, T>`. C++ deduces a return
// type from each `return` of the closure before pollen sees it, so the
// compiler's own "inconsistent types" error comes first; pollen's, naming the
// fix, is the next one.
#include <pollen.hpp>

#include <string>

int main() {
    auto rt = pollen::Runtime::builder().build();
    std::string done = rt.block_on(pollen::loop_fn(0, [](int i) {
        return pollen::future::lazy([i] {
            if (i == 5) return pollen::Break{std::to_string(i)};
            return pollen::Continue{i + 1};
        });
    }));
    return static_cast<int>(done.size());
}
