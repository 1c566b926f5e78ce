"""What the fake `claude` does as the Builder's code phase in the campaign test: writes a real
experiment script at the path the prompt names, runs it in the rounds folder, and prints its
output, the last line being the CV_SCORE=... token.

usage: fake_builder_experiment.py <rounds/R{NN}_experiment.py> <round>
"""
import pathlib
import subprocess
import sys

EXPERIMENT = '''\
"""R{nn}: logistic regression (C={c}) on the imputed, standardised features, {folds}-fold stratified CV."""
import json
import pathlib

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

rounds = pathlib.Path(__file__).resolve().parent
workspace = rounds.parent
config = json.loads((workspace / "config.json").read_text())
data = (workspace / config.get("data_dir", "data")).resolve()
target, id_column = config["target_column"], config["id_column"]
train = pd.read_csv(data / "train.csv")
test = pd.read_csv(data / "test.csv")
y = train[target].to_numpy()
X = train.drop(columns=[target, id_column])
X_test = test.drop(columns=[id_column])

oof = np.zeros(len(train))
test_pred = np.zeros(len(test))
folds = StratifiedKFold(n_splits={folds}, shuffle=True, random_state=42)
for k, (fit_rows, val_rows) in enumerate(folds.split(X, y), start=1):
    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                          LogisticRegression(C={c}, max_iter=1000))
    model.fit(X.iloc[fit_rows], y[fit_rows])
    oof[val_rows] = model.predict_proba(X.iloc[val_rows])[:, 1]
    test_pred += model.predict_proba(X_test)[:, 1] / {folds}
    print(f"FOLD {{k}} SCORE={{roc_auc_score(y[val_rows], oof[val_rows]):.6f}}", flush=True)
np.save(rounds / "R{nn}_oof.npy", oof)
np.save(rounds / "R{nn}_test.npy", test_pred)
print(f"CV_SCORE={{roc_auc_score(y, oof):.12f}}", flush=True)
'''


def main():
    script = pathlib.Path(sys.argv[1])
    round_number = int(sys.argv[2])
    c = [0.03, 0.3, 3.0][round_number % 3]
    script.write_text(EXPERIMENT.format(nn=f"{round_number:02d}", c=c, folds=5))
    run = subprocess.run([sys.executable, str(script)], cwd=script.parent, capture_output=True, text=True)
    (script.parent / f"R{round_number:02d}_run.log").write_text(run.stdout + run.stderr)
    sys.stdout.write(run.stdout)
    if run.returncode != 0:
        sys.stdout.write(run.stderr)
        print("CV_SCORE=crash")


if __name__ == "__main__":
    main()
