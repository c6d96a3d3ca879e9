// expect: pollen::or_else: the closure must accept the error E
// or_else's closure gets the error, here a std::error_code, not a string.
#include <pollen.hpp>

#include <string>
#include <system_error>

int main() {
    auto rt = pollen::Runtime::builder().build();
    auto recovered = pollen::future::ready(pollen::io::Result<int>(pollen::Err(std::make_error_code(std::errc::timed_out))))
                         .or_else([](const std::string& why) {
                             return pollen::future::ready(pollen::io::Result<int>(pollen::Ok(static_cast<int>(why.size()))));
                         });
    return rt.block_on(std::move(recovered)).value();
}
