// sdk/abi.lock records the ABI number and the hash of the sdk/ headers it belongs to. Changing
// an interface without bumping AUTOKAGGLE_ABI_VERSION would let stale plugins load and crash;
// this test stops that at build time.
#include "fixtures.hpp"

#include <autokaggle/sdk/abi.hpp>

#include <boost/test/unit_test.hpp>

#include <sstream>

namespace at = autokaggle::test;

BOOST_AUTO_TEST_SUITE(abi_lock)

BOOST_AUTO_TEST_CASE(sdk_headers_match_the_locked_abi) {
    std::istringstream lock(at::read_text(at::source_dir() / "sdk" / "abi.lock"));
    unsigned locked_version = 0;
    std::string locked_hash;
    BOOST_TEST_REQUIRE(static_cast<bool>(lock >> locked_version >> locked_hash),
                       "sdk/abi.lock must hold \"<ABI_VERSION> <sha256>\"; run scripts/update-abi-lock.sh");
    const std::string hash = AUTOKAGGLE_SDK_HASH;
    BOOST_TEST_REQUIRE(hash.size() == 64u, "the build computed no SDK hash");
    if (locked_version == AUTOKAGGLE_ABI_VERSION) {
        BOOST_TEST(locked_hash == hash,
                   "sdk/ headers changed but AUTOKAGGLE_ABI_VERSION is still "
                       << AUTOKAGGLE_ABI_VERSION << ": bump it in sdk/autokaggle/sdk/abi.hpp and run "
                       << "scripts/update-abi-lock.sh (locked " << locked_hash << ", now " << hash << ")");
    } else {
        BOOST_ERROR("AUTOKAGGLE_ABI_VERSION is " << AUTOKAGGLE_ABI_VERSION << " but sdk/abi.lock records "
                                                 << locked_version << ": run scripts/update-abi-lock.sh");
    }
}

BOOST_AUTO_TEST_SUITE_END()
