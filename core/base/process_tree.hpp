// Part of the installed support set: the declarations live in <autokaggle/support/process_tree.hpp>.
#pragma once

#include <autokaggle/support/process_tree.hpp>
