// The agents' one-line reply grammar (parse_reply, sdk/autokaggle/sdk/agent.hpp): any reply
// to any phase is accepted or refused with a message naming the phase, in valid UTF-8 when the
// reply is (the message goes back to the model and into state.json).
#include "fuzz.hpp"

#include "base/text.hpp"
#include <autokaggle/sdk/agent.hpp>

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace autokaggle;
    const std::string reply(fuzz::text(data, size));
    const bool utf8 = valid_utf8(reply) == reply;
    for (Phase phase : {Phase::eda, Phase::research, Phase::plan, Phase::review, Phase::revise, Phase::code,
                        Phase::verify, Phase::findings, Phase::retro}) {
        const std::string problem = parse_reply(phase, reply).problem;
        fuzz::require(problem.empty() || problem.find(std::string(to_string(phase))) != std::string::npos,
                      "a refusal names the phase");
        fuzz::require(!utf8 || valid_utf8(problem) == problem, "a refusal of a UTF-8 reply is UTF-8");
    }
    return 0;
}
