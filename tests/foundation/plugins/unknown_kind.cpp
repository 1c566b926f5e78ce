// A descriptor with a kind the host does not know.
#include <autokaggle/sdk/abi.hpp>

#include <boost/dll/alias.hpp>

namespace fixture {
const autokaggle_plugin_descriptor descriptor{AUTOKAGGLE_ABI_VERSION, "widget", "fixture-widget", "0.1.0",
                                              "of an unknown kind", "{}", ""};
}
BOOST_DLL_ALIAS(fixture::descriptor, autokaggle_descriptor)
