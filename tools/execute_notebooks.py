"""Re-execute chapter notebooks in place, each from a fresh kernel, and print how long each took.

    python tools/execute_notebooks.py book/part1/*.ipynb

Widget model ids are random UUIDs; they are renamed to ids derived from the notebook's path and the
widget's creation order, so that a chapter whose code and library are unchanged re-executes to a
byte-identical file (seeds fix everything else; the Makefile sets PYTHONHASHSEED and the threads).
How the kernel happens to flush a cell's printing (one stdout chunk or several) varies between runs, so
consecutive chunks of the same stream are merged into one output.
"""
import hashlib
import os
import pathlib
import re
import sys
import time

import nbformat
from nbclient import NotebookClient

os.environ.setdefault("LSTM_BOOK_QUIET", "1")  # kernels inherit it: no progress bars stored

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def stable_widget_ids(nb, key):
    """Return the notebook with every widget model id replaced by md5(key:creation index)."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    mapping = {old: hashlib.md5(f"{key}:{i}".encode()).hexdigest() for i, old in enumerate(state)}
    if not mapping:
        return nb
    pattern = re.compile("|".join(map(re.escape, mapping)))
    text = pattern.sub(lambda m: mapping[m.group(0)], nbformat.writes(nb))
    return nbformat.reads(text, as_version=4)


def merge_streams(nb):
    """Join consecutive stdout (or stderr) outputs of each cell into one, in place."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            prev = merged[-1] if merged else None
            if out.output_type == "stream" and prev is not None and prev.output_type == "stream" \
                    and prev.name == out.name:
                prev.text += out.text
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged
    return nb


def execute(path):
    path = pathlib.Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(stable_widget_ids(merge_streams(nb), path.as_posix()), path)
    return seconds


def main(paths):
    total = 0.0
    for path in paths:
        seconds = execute(path)
        total += seconds
        print(f"{seconds:6.1f} s  {path}", flush=True)
    print(f"{total:6.1f} s  all {len(paths)} notebooks")


if __name__ == "__main__":
    main(sys.argv[1:])
