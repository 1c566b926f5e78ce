# ---- family: XGBoost (hist), ordinal categoricals, NaN handled natively ----------------------
import xgboost as xgb
from sklearn.compose import TransformedTargetRegressor


def make_model(table, seed):
    params = SPEC["params"]
    prep = preprocessor(table, encoding=SPEC.get("encoding", "ordinal"), seed=seed)
    common = dict(n_estimators=int(params.get("n_estimators", 400)),
                  learning_rate=float(params.get("learning_rate", 0.05)),
                  max_depth=int(params.get("max_depth", 4)),
                  subsample=float(params.get("subsample", 0.8)),
                  colsample_bytree=float(params.get("colsample_bytree", 0.8)),
                  min_child_weight=float(params.get("min_child_weight", 2.0)),
                  reg_lambda=float(params.get("reg_lambda", 1.0)),
                  tree_method="hist", n_jobs=OMP_THREADS, random_state=seed, verbosity=0)
    if CLASSIFICATION:
        model = xgb.XGBClassifier(**common)
    else:
        model = xgb.XGBRegressor(**common)
        if SPEC.get("log_target"):
            model = TransformedTargetRegressor(regressor=model, func=np.log1p, inverse_func=np.expm1)
    return Pipeline([("prep", prep), ("model", model)])
