// Part of the installed support set: the declarations live in <autokaggle/support/utc_time.hpp>.
#pragma once

#include <autokaggle/support/utc_time.hpp>
