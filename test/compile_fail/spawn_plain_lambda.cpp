// expect: pollen::spawn takes a future
// A task is a future, not a closure as for std::thread.
#include <pollen.hpp>

#include <cstdio>

int main() {
    auto rt = pollen::Runtime::builder().build();
    rt.block_on(pollen::future::lazy([] {
        auto task = pollen::spawn([] { std::puts("hello from a task"); });
        (void)task;
    }));
}
