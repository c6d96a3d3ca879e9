#include "registry.hpp"

#include <algorithm>
#include <deque>

namespace pollen::bench {

namespace {
// Function-local statics: registrars in other files run during static
// initialisation, in an unspecified order.
std::deque<Scenario>& scenario_store() {
    static std::deque<Scenario> store;
    return store;
}
std::deque<Command>& command_store() {
    static std::deque<Command> store;
    return store;
}
}  // namespace

RegisterScenario::RegisterScenario(Scenario s) { scenario_store().push_back(s); }
RegisterCommand::RegisterCommand(Command c) { command_store().push_back(c); }

std::vector<const Scenario*> scenarios() {
    std::vector<const Scenario*> out;
    for (const Scenario& s : scenario_store()) out.push_back(&s);
    std::stable_sort(out.begin(), out.end(),
                     [](const Scenario* a, const Scenario* b) { return a->rank < b->rank; });
    return out;
}

const Scenario* find_scenario(std::string_view name) {
    for (const Scenario& s : scenario_store())
        if (s.name == name) return &s;
    return nullptr;
}

std::vector<const Command*> commands() {
    std::vector<const Command*> out;
    for (const Command& c : command_store()) out.push_back(&c);
    return out;
}

const Command* find_command(std::string_view name) {
    for (const Command& c : command_store())
        if (c.name == name) return &c;
    return nullptr;
}

}  // namespace pollen::bench
