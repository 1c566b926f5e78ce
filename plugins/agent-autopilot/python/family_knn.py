# ---- family: k-nearest neighbours on scaled, one-hot features --------------------------------
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.compose import TransformedTargetRegressor


def make_model(table, seed):
    params = SPEC["params"]
    prep = preprocessor(table, encoding=SPEC.get("encoding", "onehot"), scale=True, impute=True, seed=seed)
    common = dict(n_neighbors=int(params.get("n_neighbors", 25)), weights=params.get("weights", "distance"),
                  n_jobs=N_JOBS)
    if CLASSIFICATION:
        model = KNeighborsClassifier(**common)
    else:
        model = KNeighborsRegressor(**common)
        if SPEC.get("log_target"):
            model = TransformedTargetRegressor(regressor=model, func=np.log1p, inverse_func=np.expm1)
    return Pipeline([("prep", prep), ("model", model)])
