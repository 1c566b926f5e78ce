"""A user's pipeline for boston-housing, as config.json best_pipeline_script names it.

It follows the experiment script contract (docs/script-contract.md): it trains on the
competition's folds, writes the out-of-fold and test predictions, and prints FOLD k DONE after
each fold; the core scores them with the campaign's metric. The pipeline-search Builder sets
AUTOKAGGLE_PARAMS before the first line; run alone, the defaults below apply.
"""
import argparse
import os

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor

params = {"max_depth": None, "n_estimators": 60}
params.update(globals().get("AUTOKAGGLE_PARAMS", {}))

parser = argparse.ArgumentParser()
for option in ("--data-dir", "--oof-out", "--test-out", "--oof-partial", "--folds", "--seed"):
    parser.add_argument(option, required=option != "--oof-partial")
args = parser.parse_args()

train = pd.read_csv(os.path.join(args.data_dir, "train.csv"))
test = pd.read_csv(os.path.join(args.data_dir, "test.csv"))
target = os.environ.get("AUTOKAGGLE_TARGET_COLUMN") or "cmedv"
id_column = os.environ.get("AUTOKAGGLE_ID_COLUMN") or "id"
features = [c for c in train.columns if c not in (target, id_column) and c in test.columns]
X = train[features].select_dtypes("number").fillna(0).to_numpy()
X_test = test[features].select_dtypes("number").fillna(0).to_numpy()
y = train[target].to_numpy(dtype=float)

fold = np.load(os.environ["AUTOKAGGLE_FOLDS_FILE"])
fit = np.load(os.environ["AUTOKAGGLE_FOLDS_FIT_FILE"])
oof = np.full(len(train), np.nan)
test_pred = np.zeros(len(test))
for k in range(fit.shape[1]):
    fit_rows, valid_rows = np.flatnonzero(fit[:, k]), np.flatnonzero(fold == k)
    model = RandomForestRegressor(n_estimators=int(params["n_estimators"]), max_depth=params["max_depth"],
                                  random_state=int(args.seed), n_jobs=int(os.environ.get("AUTOKAGGLE_THREADS", "1")))
    model.fit(X[fit_rows], y[fit_rows])
    oof[valid_rows] = model.predict(X[valid_rows])
    test_pred += model.predict(X_test) / fit.shape[1]
    if args.oof_partial:
        np.save(args.oof_partial + ".tmp.npy", oof)
        os.replace(args.oof_partial + ".tmp.npy", args.oof_partial)
    print(f"FOLD {k + 1} DONE", flush=True)

np.save(args.oof_out, oof)
np.save(args.test_out, test_pred)
