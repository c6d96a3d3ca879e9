// expect: pollen::mpsc::Receiver is move-only
// A Receiver has one owner; hand it over with std::move(rx).
#include <pollen.hpp>

pollen::JoinHandle<int> spawn_summer(pollen::mpsc::Receiver<int> rx) {
    return pollen::spawn(std::move(rx).fold(0, [](int sum, int v) { return sum + v; }));
}

int main() {
    auto rt = pollen::Runtime::builder().build();
    auto [tx, rx] = pollen::mpsc::channel<int>(8);
    return rt.block_on(pollen::future::lazy([&] {
        auto sum = spawn_summer(rx);
        (void)sum;
        return 0;
    }));
}
