// expect: pollen::oneshot::Receiver is move-only
// A oneshot Receiver receives the one value once; hand it over with std::move.
#include <pollen.hpp>

#include <string>

int main() {
    auto rt = pollen::Runtime::builder().build();
    auto [tx, rx] = pollen::oneshot::channel<std::string>();
    auto waiter = rt.spawn(rx);
    (void)std::move(tx).send("hello");
    return rt.block_on(std::move(waiter)).is_ok() ? 0 : 1;
}
