#pragma once
/// The "pollen.net.gai" error category: getaddrinfo's EAI_* codes as
/// std::error_code values, what `lookup_host` reports when a name does not
/// resolve (EAI_SYSTEM becomes the errno it stands for). Plain values.

#include <system_error>

namespace pollen::net {

/// The category of getaddrinfo failures (one object per program).
const std::error_category& gai_category() noexcept;

/// An error_code for the EAI_* value `eai` (glibc's are negative).
std::error_code make_gai_error(int eai);

}  // namespace pollen::net
