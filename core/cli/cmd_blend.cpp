// PLACEHOLDER until its issue lands: replaced by the real command.
#include "cli/commands.hpp"

#include <iostream>

namespace autokaggle::cli {
int cmd_blend(CommandArgs) {
    std::cerr << "autokaggle blend: not available in this build\n";
    return exit_failure;
}
}  // namespace autokaggle::cli
