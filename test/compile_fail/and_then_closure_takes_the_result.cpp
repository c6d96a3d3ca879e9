// expect: pollen::and_then: the closure must accept the Ok value T
// and_then's closure gets the Ok value, not the whole Result.
#include <pollen.hpp>

#include <string>
#include <system_error>

int main() {
    auto rt = pollen::Runtime::builder().build();
    auto parsed = pollen::future::ready(pollen::io::Result<std::string>(pollen::Ok(std::string("42"))))
                      .and_then([](pollen::io::Result<std::string> r) {
                          return pollen::future::ready(pollen::io::Result<int>(pollen::Ok(std::stoi(*r))));
                      });
    return rt.block_on(std::move(parsed)).value();
}
