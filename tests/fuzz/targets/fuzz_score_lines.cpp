// The score lines a script prints (core/runner/score_lines.cpp), fed as output arrives: split
// into chunks anywhere (the first byte picks the chunk size), the parser finds exactly what it
// finds in the whole text at once, every value finite, memory bounded by its limits.
#include "fuzz.hpp"

#include "runner/score_lines.hpp"

#include <cmath>
#include <cstring>

namespace {

bool same(const std::vector<autokaggle::ScoreEvent>& a, const std::vector<autokaggle::ScoreEvent>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].kind != b[i].kind || a[i].fold != b[i].fold || std::memcmp(&a[i].value, &b[i].value, sizeof(double)) != 0)
            return false;
    return true;
}

std::vector<autokaggle::ScoreEvent> all_events(autokaggle::ScoreLineParser& parser, std::string_view text, std::size_t chunk) {
    std::vector<autokaggle::ScoreEvent> events;
    for (std::size_t at = 0; at < text.size(); at += chunk) {
        auto part = parser.feed(text.substr(at, chunk));
        events.insert(events.end(), part.begin(), part.end());
    }
    auto last = parser.finish();
    events.insert(events.end(), last.begin(), last.end());
    return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace autokaggle;
    if (size == 0) return 0;
    const std::size_t chunk = 1 + data[0] % 16;
    const std::string_view text = fuzz::text(data + 1, size - 1);
    constexpr std::size_t kTail = 4, kWidth = 64;
    ScoreLineParser whole(kTail, kWidth), pieces(kTail, kWidth);
    const auto expected = all_events(whole, text, text.size() + 1);
    const auto got = all_events(pieces, text, chunk);
    fuzz::require(same(expected, got), "chunk boundaries change nothing");
    fuzz::require(whole.tail() == pieces.tail() && whole.lines() == pieces.lines(), "the same tail and line count");
    for (const auto& e : got) fuzz::require(std::isfinite(e.value) && (e.kind == ScoreEvent::Kind::cv || e.fold >= 1), "scores are finite, folds from 1");
    fuzz::require(whole.tail().size() <= kTail * (kWidth + 1), "the tail stays within its limits");
    return 0;
}
