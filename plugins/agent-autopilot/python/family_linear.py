# ---- family: regularised linear model (logistic regression / ridge), one-hot + scaling ------
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.compose import TransformedTargetRegressor


def make_model(table, seed):
    params = SPEC["params"]
    prep = preprocessor(table, encoding=SPEC.get("encoding", "onehot"), scale=True, impute=True, seed=seed)
    if CLASSIFICATION:
        model = LogisticRegression(C=float(params.get("C", 1.0)), max_iter=5000,
                                   class_weight=SPEC.get("class_weight"))
    else:
        model = Ridge(alpha=float(params.get("alpha", 1.0)))
        if SPEC.get("log_target"):
            model = TransformedTargetRegressor(regressor=model, func=np.log1p, inverse_func=np.expm1)
    return Pipeline([("prep", prep), ("model", model)])
