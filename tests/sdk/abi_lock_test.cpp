// sdk/abi.lock records the ABI number and the hash of the sdk/ headers it belongs to. Changing
// an interface without bumping AUTOKAGGLE_ABI_VERSION would let stale plugins load and crash;
// this test stops that at build time.
#include "support/test_support.hpp"

#include <autokaggle/sdk/abi.hpp>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace at = autokaggle::test;
namespace fs = std::filesystem;

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

// The ABI number covers what is installed (sdk/autokaggle/sdk and sdk/autokaggle/support), so a
// plugin that included a private core/ header would compile against something no number protects.
BOOST_AUTO_TEST_SUITE(installed_headers)

BOOST_AUTO_TEST_CASE(plugins_and_examples_include_no_private_core_header) {
    std::set<std::string> core_areas;
    for (const auto& entry : fs::directory_iterator(at::source_dir() / "core"))
        if (entry.is_directory()) core_areas.insert(entry.path().filename().string());
    const std::regex quoted_include(R"re(^\s*#\s*include\s*"([a-z_]+)/([^"]+)")re");
    for (const char* tree : {"plugins", "examples"}) {
        for (const auto& folder : fs::directory_iterator(at::source_dir() / tree)) {
            if (!folder.is_directory()) continue;
            const std::string name = folder.path().filename().string();
            std::set<std::string> found;
            for (const auto& file : fs::recursive_directory_iterator(folder.path())) {
                const auto ext = file.path().extension();
                if (ext != ".cpp" && ext != ".hpp") continue;
                std::istringstream lines(at::read_text(file.path()));
                std::smatch m;
                for (std::string line; std::getline(lines, line);)
                    if (std::regex_search(line, m, quoted_include) && core_areas.count(m[1].str()))
                        found.insert(m[1].str() + "/" + m[2].str());
            }
            for (const auto& header : found)
                BOOST_TEST(false, std::string(tree) + "/" + name + " includes the private core header \"" << header
                                                  << "\"; use <autokaggle/sdk/...> and <autokaggle/support/...>");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
