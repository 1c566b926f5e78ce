// A descriptor without a factory.
#include <autokaggle/sdk/abi.hpp>

#include <boost/dll/alias.hpp>

namespace fixture {
const autokaggle_plugin_descriptor descriptor{AUTOKAGGLE_ABI_VERSION, "agent", "fixture-no-factory", "0.1.0",
                                              "exports no factory", "{}", "*"};
}
BOOST_DLL_ALIAS(fixture::descriptor, autokaggle_descriptor)
