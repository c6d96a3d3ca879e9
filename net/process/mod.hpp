#pragma once
/// Child processes (tokio::process): Command, Child, its pipes and exit
/// status. Kept by hand; `make headers` checks that every public header of
/// net/process/ is listed here.

#include "command.hpp"
#include "stdio.hpp"
#include "child.hpp"
#include "child_stdio.hpp"
#include "exit_status.hpp"
