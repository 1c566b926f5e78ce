# A small real experiment on the Pima diabetes data, following the script contract: seeded
# stratified folds, imputation, scaling and a logistic regression fitted inside each fold, fold scores as they
# come, the partial OOF after each fold, then the OOF and test predictions and the CV score.
import argparse, os
import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir", required=True)
parser.add_argument("--oof-out", required=True)
parser.add_argument("--test-out", required=True)
parser.add_argument("--oof-partial")
parser.add_argument("--folds", type=int, default=5)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

target = os.environ.get("AUTOKAGGLE_TARGET_COLUMN", "diabetes")
id_column = os.environ.get("AUTOKAGGLE_ID_COLUMN", "id")
train = pd.read_csv(os.path.join(args.data_dir, "train.csv"))
test = pd.read_csv(os.path.join(args.data_dir, "test.csv"))
features = [c for c in train.columns if c not in (target, id_column)]
X, y, X_test = train[features].to_numpy(float), train[target].to_numpy(), test[features].to_numpy(float)

oof = np.full(len(train), np.nan)
test_pred = np.zeros(len(test))
folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
for k, (fit_rows, valid_rows) in enumerate(folds.split(X, y), start=1):
    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X[fit_rows], y[fit_rows])
    oof[valid_rows] = model.predict_proba(X[valid_rows])[:, 1]
    test_pred += model.predict_proba(X_test)[:, 1] / args.folds
    if args.oof_partial:
        np.save(args.oof_partial + ".tmp.npy", oof)
        os.replace(args.oof_partial + ".tmp.npy", args.oof_partial)
    print(f"FOLD {k} SCORE={roc_auc_score(y[valid_rows], oof[valid_rows]):.6f}", flush=True)

np.save(args.oof_out, oof)
np.save(args.test_out, test_pred)
print(f"CV_SCORE={roc_auc_score(y, oof)!r}")
