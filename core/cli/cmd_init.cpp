// PLACEHOLDER until its issue lands: replaced by the real command.
#include "cli/commands.hpp"

#include <iostream>

namespace autokaggle::cli {
int cmd_init(CommandArgs) {
    std::cerr << "autokaggle init: not available in this build\n";
    return exit_failure;
}
}  // namespace autokaggle::cli
