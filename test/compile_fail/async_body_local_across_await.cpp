// expect: case label
// max-lines: 30
// In an async body (core/async_fn.hpp), what lives across an await is a
// member, as in the state machine Rust generates; a local variable with an
// initializer still in scope at a later await is refused by the compiler
// (each await resumes at a case label of the body's switch): g++ says "jump to
// case label ... crosses initialization of 'int left'", clang "cannot jump
// from switch statement to this case label". The limit is 30 lines: g++'s
// notes on the macro expansion are the compiler's, not a static_assert's.
#include <pollen/core/async_fn.hpp>
#include <pollen.hpp>

#include <chrono>

using namespace std::chrono_literals;

struct Countdown : pollen::Async<Countdown, int> {
    POLLEN_FRAME;

    pollen::Poll<int> poll(pollen::Context& cx) {
        POLLEN_BEGIN(cx);
        int left = 3;  // must be a member: it lives across the awaits below
        while (left > 0) {
            POLLEN_AWAIT(pollen::time::sleep(1ms));
            --left;
        }
        POLLEN_RETURN(left);
        POLLEN_END;
    }
};

int main() {
    auto rt = pollen::Runtime::builder().build();
    return rt.block_on(Countdown());
}
