// PLACEHOLDER until its issue lands: replaced by the real command.
#include "cli/commands.hpp"

#include <iostream>

namespace autokaggle::cli {
int cmd_submit(CommandArgs) {
    std::cerr << "autokaggle submit: not available in this build\n";
    return exit_failure;
}
}  // namespace autokaggle::cli
