// expect: pollen::select_all takes one std::vector of futures of a single type
// select_all (futures-rs's, over an iterator of one future type) takes a vector;
// futures of different outputs given one by one are refused.
#include <pollen.hpp>

#include <string>

int main() {
    auto rt = pollen::Runtime::builder().build();
    auto first = rt.block_on(pollen::select_all(pollen::future::ready(1), pollen::future::ready(std::string("two"))));
    (void)first;
}
