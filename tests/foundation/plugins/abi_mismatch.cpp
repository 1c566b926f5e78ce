// A plugin built against another ABI (the next one, so never the host's). Only abi_version is
// meaningful: the other fields are null so that a host reading them before checking the number
// would crash the test.
#include <autokaggle/sdk/abi.hpp>

#include <boost/dll/alias.hpp>

namespace fixture {
const autokaggle_plugin_descriptor descriptor{AUTOKAGGLE_ABI_VERSION + 1, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
}
BOOST_DLL_ALIAS(fixture::descriptor, autokaggle_descriptor)
