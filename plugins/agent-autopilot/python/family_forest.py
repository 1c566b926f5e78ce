# ---- family: bagged trees (random forest or extra trees), median-imputed numerics -----------
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.compose import TransformedTargetRegressor


def make_model(table, seed):
    params = SPEC["params"]
    prep = preprocessor(table, encoding=SPEC.get("encoding", "ordinal"), impute=True, seed=seed)
    extra = SPEC["family"] == "extra_trees"
    max_features = params.get("max_features", "sqrt" if CLASSIFICATION else 0.5)
    common = dict(n_estimators=int(params.get("n_estimators", 400)),
                  min_samples_leaf=int(params.get("min_samples_leaf", 2)),
                  max_features=max_features, n_jobs=N_JOBS, random_state=seed)
    if CLASSIFICATION:
        cls = ExtraTreesClassifier if extra else RandomForestClassifier
        model = cls(class_weight=SPEC.get("class_weight"), **common)
    else:
        cls = ExtraTreesRegressor if extra else RandomForestRegressor
        model = cls(**common)
        if SPEC.get("log_target"):
            model = TransformedTargetRegressor(regressor=model, func=np.log1p, inverse_func=np.expm1)
    return Pipeline([("prep", prep), ("model", model)])
