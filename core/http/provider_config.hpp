// Part of the installed support set: the declarations live in <autokaggle/support/provider_config.hpp>.
#pragma once

#include <autokaggle/support/provider_config.hpp>
