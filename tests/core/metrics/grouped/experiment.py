#!/usr/bin/python3
"""A random forest on the grouped test competition that follows docs/script-contract.md with the
core's folds: it fits and validates each fold exactly as AUTOKAGGLE_FOLDS_FILE and
AUTOKAGGLE_FOLDS_FIT_FILE say, and prints no score (the core computes it)."""
import argparse
import os

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

parser = argparse.ArgumentParser()
for name in ("--data-dir", "--oof-out", "--test-out", "--oof-partial"):
    parser.add_argument(name)
parser.add_argument("--folds", type=int)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

train = pd.read_csv(os.path.join(args.data_dir, "train.csv"))
test = pd.read_csv(os.path.join(args.data_dir, "test.csv"))
features = ["age", "bmi", "baseline_lab", "visit_lab", "days_since_last"]
X, y, X_test = train[features].values, train["readmitted"].values, test[features].values

fold = np.load(os.environ["AUTOKAGGLE_FOLDS_FILE"])
fit = np.load(os.environ["AUTOKAGGLE_FOLDS_FIT_FILE"])
oof = np.full(len(train), np.nan)
test_pred = np.zeros(len(test))
for k in range(fit.shape[1]):
    fit_rows, valid_rows = np.flatnonzero(fit[:, k]), np.flatnonzero(fold == k)
    model = RandomForestClassifier(n_estimators=300, min_samples_leaf=2, n_jobs=2, random_state=args.seed)
    model.fit(X[fit_rows], y[fit_rows])
    oof[valid_rows] = model.predict_proba(X[valid_rows])[:, 1]
    test_pred += model.predict_proba(X_test)[:, 1] / fit.shape[1]
    print("FOLD %d DONE" % (k + 1), flush=True)
np.save(args.oof_out, oof)
np.save(args.test_out, test_pred)
