# ---------------------------------------------------------------------------------------------
# Shared runtime: data loading, in-fold preprocessing and the loop over the competition's folds
# that follows the script contract (docs/script-contract.md).
# ---------------------------------------------------------------------------------------------
import os

# Thread pools sized before numpy/scikit-learn start them (OpenMP ignores later changes). One
# OpenMP thread: on small tables, and on a busy machine, spinning thread teams cost more than
# they save; the bagged-tree families still use n_jobs worker threads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(SPEC.get("omp_threads", 1)))

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

warnings.filterwarnings("ignore")

CLASSIFICATION = SPEC["task_type"] in ("binary_classification", "multiclass_classification")
N_JOBS = int(os.environ.get("AUTOKAGGLE_THREADS") or SPEC.get("n_jobs", 2))
OMP_THREADS = int(os.environ.get("OMP_NUM_THREADS", "1"))


def parse_args():
    parser = argparse.ArgumentParser(description=SPEC["title"])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--oof-out", required=True)
    parser.add_argument("--test-out", required=True)
    parser.add_argument("--oof-partial", default=None)
    parser.add_argument("--folds", type=int, default=int(SPEC["folds"]))
    parser.add_argument("--seed", type=int, default=int(SPEC["seed"]))
    parser.add_argument("--max-train-rows", type=int, default=0, help="subsample training rows (tests)")
    return parser.parse_args()


class Table:
    """Training features, encoded target and test features, with column roles."""

    def __init__(self, data_dir, max_rows=0, seed=0):
        train = pd.read_csv(os.path.join(data_dir, SPEC["train_file"]))
        test = pd.read_csv(os.path.join(data_dir, SPEC["test_file"]))
        target = SPEC["target_column"]
        if target not in train.columns:
            sys.exit("train file has no target column '%s' (config.json target_column)" % target)
        self.train_rows = len(train)
        self.rows = np.flatnonzero(train[target].notna().values)  # train.csv rows kept, in file order
        if max_rows and len(self.rows) > max_rows:
            self.rows = np.sort(np.random.RandomState(seed).choice(self.rows, size=max_rows, replace=False))
        train = train.iloc[self.rows].reset_index(drop=True)
        drop = [c for c in (SPEC.get("id_column"), target) if c]
        features = [c for c in train.columns if c not in drop and c in test.columns]
        self.X = train[features].copy()
        self.X_test = test[features].copy()
        raw_y = train[target]
        if CLASSIFICATION:
            # Class index k means the k-th distinct training label in sorted order.
            self.classes = np.unique(raw_y.values)
            self.y = np.searchsorted(self.classes, raw_y.values)
        else:
            self.classes = None
            self.y = raw_y.astype(float).values
        self.cat_cols, self.num_cols = [], []
        for c in features:
            if pd.api.types.is_numeric_dtype(self.X[c]) or pd.api.types.is_bool_dtype(self.X[c]):
                self.X[c] = self.X[c].astype(float)
                self.X_test[c] = pd.to_numeric(self.X_test[c], errors="coerce").astype(float)
                if self.X[c].nunique(dropna=True) > 1:
                    self.num_cols.append(c)
            else:
                self.X[c] = self.X[c].astype("object").where(self.X[c].notna(), None)
                self.X_test[c] = self.X_test[c].astype("object").where(self.X_test[c].notna(), None)
                distinct = self.X[c].nunique(dropna=True)
                # Free text and per-row identifiers carry no reusable signal for these models.
                if 1 < distinct <= max(50, 0.5 * len(self.X)):
                    self.X[c] = self.X[c].map(lambda v: None if v is None else str(v))
                    self.X_test[c] = self.X_test[c].map(lambda v: None if v is None else str(v))
                    self.cat_cols.append(c)
        self.X = self.X[self.num_cols + self.cat_cols]
        self.X_test = self.X_test[self.num_cols + self.cat_cols]
        self.num_missing = bool(self.X[self.num_cols].isna().any().any()) if self.num_cols else False

    @property
    def n_classes(self):
        return 0 if self.classes is None else len(self.classes)


class FrequencyEncoder(BaseEstimator, TransformerMixin):
    """Replaces each category by its share of the fitted rows (unseen categories: 0)."""

    def fit(self, X, y=None):
        frame = pd.DataFrame(X)
        self.maps_ = [frame[c].value_counts(normalize=True, dropna=False).to_dict() for c in frame.columns]
        return self

    def transform(self, X):
        frame = pd.DataFrame(X)
        cols = [frame[c].map(m).fillna(0.0).astype(float).values for c, m in zip(frame.columns, self.maps_)]
        return np.column_stack(cols) if cols else np.zeros((len(frame), 0))


class TargetEncoder(BaseEstimator, TransformerMixin):
    """Smoothed mean target per category. Rows it was fitted on get out-of-fold encodings
    (inner K-fold), so the model never sees its own row's target through the encoding."""

    def __init__(self, n_classes=0, smoothing=10.0, inner_folds=5, seed=0):
        self.n_classes = n_classes
        self.smoothing = smoothing
        self.inner_folds = inner_folds
        self.seed = seed

    def _targets(self, y):
        y = np.asarray(y)
        if self.n_classes > 2:
            return np.eye(self.n_classes)[y.astype(int)][:, 1:]
        return y.astype(float).reshape(-1, 1)

    def _fit_maps(self, frame, t):
        prior = t.mean(axis=0)
        maps = []
        for c in frame.columns:
            per_col = []
            keys = frame[c].fillna("__missing__").values
            for j in range(t.shape[1]):
                stats = pd.DataFrame({"k": keys, "t": t[:, j]}).groupby("k")["t"].agg(["sum", "count"])
                enc = (stats["sum"] + self.smoothing * prior[j]) / (stats["count"] + self.smoothing)
                per_col.append(enc.to_dict())
            maps.append(per_col)
        return prior, maps

    def _apply(self, frame, prior, maps):
        out = []
        for c, per_col in zip(frame.columns, maps):
            keys = frame[c].fillna("__missing__")
            for j, m in enumerate(per_col):
                out.append(keys.map(m).fillna(prior[j]).astype(float).values)
        return np.column_stack(out) if out else np.zeros((len(frame), 0))

    def fit(self, X, y):
        frame = pd.DataFrame(X).reset_index(drop=True)
        self.prior_, self.maps_ = self._fit_maps(frame, self._targets(y))
        return self

    def fit_transform(self, X, y=None, **fit_params):
        frame = pd.DataFrame(X).reset_index(drop=True)
        t = self._targets(y)
        self.fit(frame, y)
        result = np.zeros((len(frame), frame.shape[1] * t.shape[1]))
        inner = KFold(n_splits=self.inner_folds, shuffle=True, random_state=self.seed)
        for fit_idx, enc_idx in inner.split(frame):
            prior, maps = self._fit_maps(frame.iloc[fit_idx], t[fit_idx])
            result[enc_idx] = self._apply(frame.iloc[enc_idx], prior, maps)
        return result

    def transform(self, X):
        return self._apply(pd.DataFrame(X).reset_index(drop=True), self.prior_, self.maps_)


def preprocessor(table, encoding="ordinal", scale=False, impute=False, seed=0):
    """Column transformer fitted inside each fold. encoding: onehot | ordinal | frequency | target."""
    parts = []
    if table.num_cols:
        steps = []
        if impute:
            steps.append(("impute", SimpleImputer(strategy="median", add_indicator=table.num_missing)))
        if scale:
            steps.append(("scale", StandardScaler()))
        parts.append(("num", Pipeline(steps) if steps else "passthrough", table.num_cols))
    cats = table.cat_cols
    if cats:
        fill = SimpleImputer(strategy="constant", fill_value="__missing__")
        ordinal = Pipeline([("fill", fill), ("ordinal", OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1))])
        if encoding == "onehot":
            parts.append(("cat", Pipeline([("fill", fill), ("onehot", OneHotEncoder(
                handle_unknown="infrequent_if_exist", min_frequency=5, max_categories=30,
                sparse_output=False))]), cats))
        elif encoding == "frequency":
            parts.append(("cat", ordinal, cats))
            parts.append(("freq", Pipeline([("fill", SimpleImputer(strategy="constant", fill_value="__missing__")),
                                            ("freq", FrequencyEncoder())]), cats))
        elif encoding == "target":
            steps = [("te", TargetEncoder(n_classes=table.n_classes, seed=seed))]
            if scale:
                steps.append(("scale", StandardScaler()))
            parts.append(("te", Pipeline(steps), cats))
        else:
            parts.append(("cat", ordinal, cats))
    return ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)


def native_categorical_mask(table, encoding):
    """HistGradientBoosting's categorical_features for an ordinal-encoded layout (num, then cat)."""
    if encoding != "ordinal" or not table.cat_cols:
        return None
    mask = [False] * len(table.num_cols)
    mask += [table.X[c].nunique(dropna=True) < 250 for c in table.cat_cols]
    return mask if any(mask) else None


# ---- the competition's folds -------------------------------------------------------------------
# The core writes the fold assignment once per CV regime and scores every fold itself with the
# competition's metric, so these scripts never compute the metric (docs/script-contract.md).

def load_folds(table):
    """(fold, fit) for the rows the table kept: fold[i] is the fold row i validates (-1: none),
    fit[i, k] whether row i trains fold k."""
    path = os.environ.get("AUTOKAGGLE_FOLDS_FILE")
    if not path:
        sys.exit("AUTOKAGGLE_FOLDS_FILE is not set: the core passes the competition's fold assignment to every "
                 "experiment it runs (docs/script-contract.md)")
    fold = np.load(path)
    fit = np.load(os.environ.get("AUTOKAGGLE_FOLDS_FIT_FILE") or os.path.join(os.path.dirname(path), "fit.npy"))
    if len(fold) != table.train_rows:
        sys.exit("%s has %d rows, train file has %d: the folds belong to another train.csv" % (
            path, len(fold), table.train_rows))
    return fold[table.rows], fit[table.rows]


def splits(fold, fit):
    """(fit rows, validation rows) of every fold, in fold order."""
    return [(np.flatnonzero(fit[:, k]), np.flatnonzero(fold == k)) for k in range(fit.shape[1])]


def blend_loss(y, pred, n_classes):
    """What a blend's weights are chosen on: the proper scoring rule of the prediction layout (log
    loss for class probabilities, squared error for values). The competition's metric, whatever
    it is, is then computed by the core from the blend's OOF file."""
    if not CLASSIFICATION:
        return float(np.mean((y - pred) ** 2))
    p = np.clip(pred, 1e-15, 1 - 1e-15)
    if p.ndim == 1:
        return float(-np.mean(np.where(y == 1, np.log(p), np.log(1 - p))))
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(y)), y.astype(int)])))


def prediction_width(table):
    return table.n_classes if table.n_classes > 2 else 1


def predict(model, X, table):
    if not CLASSIFICATION:
        return np.asarray(model.predict(X), dtype=float)
    proba = model.predict_proba(X)
    full = np.zeros((len(X), table.n_classes))
    full[:, np.asarray(model.classes_, dtype=int)] = proba
    return full[:, 1] if table.n_classes == 2 else full


def save(path, array):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = path + ".tmp.npy"
    np.save(tmp, np.asarray(array, dtype=np.float64))
    os.replace(tmp, path)


def fit_params(table, y_train):
    if CLASSIFICATION and SPEC.get("class_weight") == "balanced" and SPEC.get("weights_via_fit", False):
        counts = np.bincount(y_train, minlength=table.n_classes).astype(float)
        weights = len(y_train) / (table.n_classes * np.maximum(counts, 1.0))
        return {"model__sample_weight": weights[y_train]}
    return {}


def report_fold(args, k, oof):
    """The partial OOF is on disk before the fold line that makes the kill gate read it; the
    core scores the fold from it."""
    if args.oof_partial:
        save(args.oof_partial, oof)
    print("FOLD %d DONE" % k, flush=True)


def run_cv(make_model):
    args = parse_args()
    started = time.time()
    table = Table(args.data_dir, args.max_train_rows, args.seed)
    print("rows=%d test_rows=%d numeric=%d categorical=%d classes=%d" % (
        len(table.X), len(table.X_test), len(table.num_cols), len(table.cat_cols), table.n_classes), flush=True)
    folds = splits(*load_folds(table))
    width = prediction_width(table)
    shape = (len(table.X),) if width == 1 else (len(table.X), width)
    oof = np.full(shape, np.nan)  # rows no fold validates stay NaN; the core ignores them
    test_pred = np.zeros((len(table.X_test),) if width == 1 else (len(table.X_test), width))
    for k, (train_idx, valid_idx) in enumerate(folds, start=1):
        model = make_model(table, args.seed + int(SPEC.get("seed_offset", 0)))
        model.fit(table.X.iloc[train_idx], table.y[train_idx], **fit_params(table, table.y[train_idx]))
        oof[valid_idx] = predict(model, table.X.iloc[valid_idx], table)
        test_pred += predict(model, table.X_test, table) / len(folds)
        report_fold(args, k, oof)
    save(args.oof_out, oof)
    save(args.test_out, test_pred)
    print("seconds=%.1f" % (time.time() - started), flush=True)


def main():
    run_cv(make_model)
