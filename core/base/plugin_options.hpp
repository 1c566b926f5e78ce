// Part of the installed support set: the declarations live in <autokaggle/support/plugin_options.hpp>.
#pragma once

#include <autokaggle/support/plugin_options.hpp>
