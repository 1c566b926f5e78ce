# ---- family: histogram gradient boosting (scikit-learn), native categoricals -----------------
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.compose import TransformedTargetRegressor


def make_model(table, seed):
    params = SPEC["params"]
    encoding = SPEC.get("encoding", "ordinal")
    prep = preprocessor(table, encoding=encoding, seed=seed)
    common = dict(learning_rate=float(params.get("learning_rate", 0.05)),
                  max_iter=int(params.get("max_iter", 300)),
                  max_leaf_nodes=int(params.get("max_leaf_nodes", 15)),
                  min_samples_leaf=int(params.get("min_samples_leaf", 20)),
                  l2_regularization=float(params.get("l2_regularization", 1.0)),
                  categorical_features=native_categorical_mask(table, encoding),
                  random_state=seed)
    if CLASSIFICATION:
        model = HistGradientBoostingClassifier(class_weight=SPEC.get("class_weight"), **common)
    else:
        model = HistGradientBoostingRegressor(**common)
        if SPEC.get("log_target"):
            model = TransformedTargetRegressor(regressor=model, func=np.log1p, inverse_func=np.expm1)
    return Pipeline([("prep", prep), ("model", model)])
