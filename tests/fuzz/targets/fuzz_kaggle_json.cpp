// The Kaggle API's JSON answers (core/kaggle/api.cpp, read by client.cpp) and the pretty
// printer that writes config.json from them (json_text.cpp): every reader takes any JSON
// leniently, and what the printer writes is JSON that reads back to the same values (numbers
// within a few units in the last place: Boost.JSON 1.81's parser is not always correctly
// rounded).
#include "fuzz.hpp"

#include "kaggle/api.hpp"
#include "kaggle/json_text.hpp"

#include <boost/json/parse.hpp>

#include <cmath>

namespace {

using namespace autokaggle::kaggle;
namespace json = boost::json;

void read_every_way(const json::value& answer) {
    (void)body_error(answer);
    for (const char* key : {"competitions", "files", "submissions", "kernels", "topics"}) {
        const json::array& items = list_in(answer, key);
        (void)parse_list<Competition>(items, parse_competition);
        (void)parse_list<DataFile>(items, parse_data_file);
        (void)parse_list<LeaderboardEntry>(items, parse_leaderboard_entry);
        for (const ApiSubmission& s : parse_list<ApiSubmission>(items, parse_submission)) {
            (void)parse_score(s.public_score);
            (void)date_part(s.date);
        }
        (void)parse_list<KernelMetadata>(items, parse_kernel_metadata);
        (void)parse_list<DiscussionTopic>(items, parse_discussion_topic);
    }
    if (!answer.is_object()) return;
    const json::object& o = answer.as_object();
    (void)parse_upload_ticket(o);
    (void)parse_created_submission(o);
    (void)parse_kernel_source(o);
    (void)parse_submission(json_read::object(o, "submission"));
}

bool same(const json::value& a, const json::value& b) {
    if (a.is_double() && b.is_double())
        return a.get_double() == b.get_double() ||
               std::abs(a.get_double() - b.get_double()) <= 1e-14 * std::abs(a.get_double());
    if (a.kind() != b.kind()) return false;
    if (a.is_array()) {
        const auto &x = a.get_array(), &y = b.get_array();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!same(x[i], y[i])) return false;
        return true;
    }
    if (a.is_object()) {
        const auto &x = a.get_object(), &y = b.get_object();
        if (x.size() != y.size()) return false;
        for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
            if (i->key() != j->key() || !same(i->value(), j->value())) return false;
        return true;
    }
    return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    boost::system::error_code ec;
    const json::value answer = json::parse(autokaggle::fuzz::text(data, size), ec);
    if (ec) return 0;
    read_every_way(answer);
    const std::string printed = pretty_json(answer);
    const json::value reread = json::parse(printed, ec);
    autokaggle::fuzz::require(!ec, "pretty_json writes JSON");
    autokaggle::fuzz::require(same(json::parse(pretty_json(reread)), reread), "pretty_json's output reads back to itself");
    return 0;
}
