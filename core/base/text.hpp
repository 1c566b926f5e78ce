// Part of the installed support set: the declarations live in <autokaggle/support/text.hpp>.
#pragma once

#include <autokaggle/support/text.hpp>
