// Part of the installed support set: the declarations live in <autokaggle/support/http_client.hpp>.
#pragma once

#include <autokaggle/support/http_client.hpp>
