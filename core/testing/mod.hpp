#pragma once
/// pollen's testing harness (pollen::testing), kept out of <pollen.hpp>:
/// include it in tests only.

#include "cancel_at_every_point.hpp"
