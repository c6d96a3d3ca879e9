#include "blocking_region.hpp"

#include <utility>

namespace pollen::detail {

namespace {
thread_local bool tls_may_block = true;
}

bool may_block_here() { return tls_may_block; }

bool exchange_may_block(bool may_block) { return std::exchange(tls_may_block, may_block); }

}  // namespace pollen::detail
