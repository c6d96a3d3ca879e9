// White-box tests of detail::OwnedFd (core/detail/owned_fd.hpp): it closes
// its fd when destroyed or move-assigned over, and not once released or
// moved from. Each check watches the write end of a pipe: its read end sees
// end of file exactly when every write end is closed, which no other thread
// can fake by reusing the fd number.
#include <gtest/gtest.h>
#include <unistd.h>

#include <utility>

#include <pollen/core/detail/owned_fd.hpp>

using pollen::detail::OwnedFd;

namespace {

struct Pipe {
    Pipe() { EXPECT_EQ(::pipe(fds), 0); }
    ~Pipe() { ::close(fds[0]); }
    int read_end() const { return fds[0]; }
    int write_end() const { return fds[1]; }
    /// True once every write end is closed and the pipe is drained.
    bool at_eof() const {
        char c;
        return ::read(fds[0], &c, 1) == 0;
    }
    int fds[2] = {-1, -1};
};

}  // namespace

TEST(OwnedFd, DefaultHoldsNothing) {
    OwnedFd fd;
    EXPECT_EQ(fd.get(), -1);
    EXPECT_EQ(fd.release(), -1);
}

TEST(OwnedFd, ClosesOnDestruction) {
    Pipe p;
    {
        OwnedFd w(p.write_end());
        EXPECT_EQ(w.get(), p.write_end());
    }
    EXPECT_TRUE(p.at_eof());
}

TEST(OwnedFd, ReleaseHandsTheFdOverUnclosed) {
    Pipe p;
    int raw;
    {
        OwnedFd w(p.write_end());
        raw = w.release();
        EXPECT_EQ(w.get(), -1);
    }
    ASSERT_EQ(raw, p.write_end());
    ASSERT_EQ(::write(raw, "x", 1), 1);  // still open: the caller owns it now
    ::close(raw);
    char c = 0;
    EXPECT_EQ(::read(p.read_end(), &c, 1), 1);
    EXPECT_EQ(c, 'x');
    EXPECT_TRUE(p.at_eof());
}

TEST(OwnedFd, MoveTransfersOwnership) {
    Pipe p;
    OwnedFd a(p.write_end());
    OwnedFd b(std::move(a));
    EXPECT_EQ(a.get(), -1);
    EXPECT_EQ(b.get(), p.write_end());
    { OwnedFd gone(std::move(b)); }
    EXPECT_TRUE(p.at_eof());
}

TEST(OwnedFd, MoveAssignmentClosesTheFdItHeld) {
    Pipe first, second;
    OwnedFd a(first.write_end());
    OwnedFd b(second.write_end());
    a = std::move(b);
    EXPECT_TRUE(first.at_eof());
    EXPECT_EQ(a.get(), second.write_end());
    EXPECT_EQ(b.get(), -1);
    ASSERT_EQ(::write(a.get(), "y", 1), 1);
    a = OwnedFd();
    char c = 0;
    EXPECT_EQ(::read(second.read_end(), &c, 1), 1);
    EXPECT_TRUE(second.at_eof());
}
