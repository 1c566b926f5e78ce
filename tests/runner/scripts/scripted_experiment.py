# A stand-in experiment that follows the script contract (docs/script-contract.md) with
# behaviour chosen by the test, which prepends these settings:
#   FOLD_SCORES   scores printed as "FOLD k SCORE=x" (None: "FOLD k DONE", the host scores it)
#   CV            printed as "CV_SCORE=x" at the end (None: no line)
#   SLEEP_AFTER   seconds to sleep after fold 1 (a long run the kill gate should stop)
#   PARTIAL_FROM  .npy whose fold-1 rows are copied into the partial OOF (None: zeros + noise)
#   WRITE_OUTPUTS write the OOF and test files
import argparse, os, sys, time
import numpy as np

parser = argparse.ArgumentParser()
for name in ["--data-dir", "--oof-out", "--test-out", "--oof-partial"]:
    parser.add_argument(name, required=True)
parser.add_argument("--folds", type=int, required=True)
parser.add_argument("--seed", type=int, required=True)
args = parser.parse_args()

ROWS = 100
rng = np.random.default_rng(args.seed)
fold_of_row = np.arange(ROWS) % args.folds
oof = np.full(ROWS, np.nan)
source = np.load(PARTIAL_FROM) if PARTIAL_FROM else rng.random(ROWS)
with open("pids.tmp", "w") as f:
    f.write(f"{os.getpid()}\n")
os.replace("pids.tmp", "pids.txt")
for k, score in enumerate(FOLD_SCORES, start=1):
    rows = fold_of_row == (k - 1)
    oof[rows] = source[rows]
    np.save(args.oof_partial + ".tmp.npy", oof)
    os.replace(args.oof_partial + ".tmp.npy", args.oof_partial)
    print(f"FOLD {k} DONE" if score is None else f"FOLD {k} SCORE={score}", flush=True)
    if k == 1 and SLEEP_AFTER:
        time.sleep(SLEEP_AFTER)
if WRITE_OUTPUTS:
    np.save(args.oof_out, np.nan_to_num(oof, nan=0.5))
    np.save(args.test_out, rng.random(20))
if CV is not None:
    print(f"CV_SCORE={CV}")
