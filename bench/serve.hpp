#pragma once
/// `pollen-bench serve echo|http`: the servers of SCENARIOS.md's Network
/// section. serve.cpp runs the accept loop (and the signals that end it);
/// each kind's connection task lives in its own file and is started here.

#include <pollen.hpp>

namespace pollen::bench::serve {

/// Spawns the task that echoes every byte of `stream` back (serve_echo.cpp).
void spawn_echo(net::TcpStream stream);
/// Spawns the task that answers HTTP/1.1 GETs on `stream` (serve_http.cpp).
void spawn_http(net::TcpStream stream);

}  // namespace pollen::bench::serve
