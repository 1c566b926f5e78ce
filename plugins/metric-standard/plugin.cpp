// The "standard" metric plugin: exports the descriptor and the factory.
#include "standard_metrics.hpp"

#include <autokaggle/sdk/plugin.hpp>

namespace {

std::unique_ptr<autokaggle::Metric> make_standard_metric(const autokaggle::PluginContext& context) {
    autokaggle::standard_metrics::Options options;
    if (const auto* eps = context.options.if_contains("logloss_eps"); eps && eps->is_number())
        options.logloss_eps = eps->to_number<double>();
    return autokaggle::standard_metrics::make_metric(context.instance, options);
}

}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Metric, "standard", "1.0.0",
                  "standard Kaggle metrics, defined as scikit-learn, Kaggle and sacreBLEU define them",
                  R"({"logloss_eps": {"type": "number", "default": 1e-15, "doc": "log loss clips probabilities to [eps, 1 - eps]"}})",
                  "auc_roc,logloss,rmse,rmsle,mae,mape,smape,r2,accuracy,f1,f1_macro,mcc,qwk,map@k,ndcg@k,bleu",
                  make_standard_metric)
