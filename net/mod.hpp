#pragma once
/// Networking (tokio::net) and child processes (tokio::process, in
/// process/): OS I/O objects driven by the reactor. Kept by hand; `make
/// headers` checks that every public header of net/ is listed here.

// Addresses and name resolution.
#include "ip_addr.hpp"
#include "socket_addr.hpp"
#include "unix_socket_addr.hpp"
#include "addr_error.hpp"
#include "gai_error.hpp"
#include "lookup_host.hpp"

// TCP.
#include "connect.hpp"
#include "tcp_listener.hpp"
#include "tcp_stream.hpp"
#include "tcp_socket.hpp"
#include "owned_split.hpp"
#include "readiness.hpp"

// UDP.
#include "udp_socket.hpp"
#include "udp_send_to.hpp"

// Unix domain sockets.
#include "unix_listener.hpp"
#include "unix_stream.hpp"
#include "unix_datagram.hpp"

// Simulated hosts and network, for the simulation runtime (docs/simulation.md).
#include "sim_link.hpp"
#include "sim_network.hpp"

// Serving: a server's accept loop and graceful shutdown.
#include "serve.hpp"

// Child processes.
#include "process/mod.hpp"
