// Part of the installed support set: the declarations live in <autokaggle/support/process.hpp>.
#pragma once

#include <autokaggle/support/process.hpp>
