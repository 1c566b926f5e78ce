// Part of the installed support set: the declarations live in <autokaggle/support/atomic_file.hpp>.
#pragma once

#include <autokaggle/support/atomic_file.hpp>
