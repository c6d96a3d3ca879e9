#pragma once
/// detail::empty_handle_used(what): the checked failure of a channel handle
/// used where an empty one (default-constructed, assigned `{}`, dropped with
/// `pollen::drop` or moved from) has no answer to give, such as borrowing the
/// value of a watch channel it is not attached to. Rust rules such a use out
/// at compile time; here it stops the program with a message naming the call.
/// Calls that do have an answer for a gone channel (send fails, recv ends,
/// is_closed is true) give it instead, so this stays rare.

#include <cstdio>
#include <cstdlib>

namespace pollen::channels::detail {

[[noreturn]] inline void empty_handle_used(const char* what) {
    std::fprintf(stderr,
                 "pollen: %s called on an empty channel handle (default-constructed, assigned {}, "
                 "dropped, moved from, or a oneshot::Receiver that already completed): it has no "
                 "channel to answer for.\n",
                 what);
    std::abort();
}

}  // namespace pollen::channels::detail
