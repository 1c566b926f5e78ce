// The key ideas of a public notebook, found by simple rules over its code: the libraries it
// imports, the model classes it builds and the techniques it uses (CV scheme, encodings,
// tuning, ensembling...). Cheap, deterministic and good enough to tell the Researcher what
// the community is trying.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::kaggle_scraper {

struct CodeIdeas {
    std::vector<std::string> libraries;   ///< top-level packages, standard library left out
    std::vector<std::string> models;      ///< "LGBMClassifier", "lgb.train"
    std::vector<std::string> techniques;  ///< "stratified k-fold CV (n_splits=10)", "target encoding"
    bool empty() const { return libraries.empty() && models.empty() && techniques.empty(); }
};

/// The code of a kernel's source: a notebook's (.ipynb JSON) code cells joined, else the text.
std::string notebook_code(std::string_view source);

CodeIdeas extract_ideas(std::string_view code);

}  // namespace autokaggle::kaggle_scraper
