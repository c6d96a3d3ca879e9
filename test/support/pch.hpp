// The tests' precompiled header (see the Makefile): what nearly every test
// file includes first. Force-included with -include; each test still includes
// what it uses, so it compiles without it too.
#include <gtest/gtest.h>

#include <pollen.hpp>
