// state.json (core/orchestrator/state.cpp): a document either reads or is refused with an
// Error; once read and written, it reads back and writes the same bytes (a resumed campaign
// sees exactly what was saved).
#include "fuzz.hpp"

#include "orchestrator/json_util.hpp"
#include "orchestrator/state.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace autokaggle;
    boost::system::error_code ec;
    const boost::json::value document = boost::json::parse(fuzz::text(data, size), ec);
    if (ec) return 0;
    std::string saved;
    try {
        saved = json_util::pretty(to_json(state_from_json(document, "state.json")));
    } catch (const Error&) {
        return 0;
    }
    const boost::json::value reread = boost::json::parse(saved, ec);
    fuzz::require(!ec, "a saved state.json is valid JSON");
    CampaignState again;
    try {
        again = state_from_json(reread, "state.json");
    } catch (const Error& e) {
        fuzz::require(false, "a saved state.json reads back");
    }
    fuzz::require(json_util::pretty(to_json(again)) == saved, "reading and saving state.json again changes nothing");
    return 0;
}
