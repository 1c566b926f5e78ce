// Part of the installed support set: the declarations live in <autokaggle/support/kaggle_credentials.hpp>.
#pragma once

#include <autokaggle/support/kaggle_credentials.hpp>
