#!/usr/bin/env python3
"""Independent reader of a SeqLearn checkpoint, using only the standard library and numpy.

    python3 scripts/verify_checkpoint.py CHECKPOINT_DIR

Parses weights.safetensors by the published format (8-byte little-endian header length, UTF-8 JSON header,
raw little-endian data), checks the layout rules (header padded to 8 bytes, tensors sorted by name and stored
back to back, span = shape x dtype size), checks the SHA-256 recorded in checkpoint.json, and prints one JSON
object: {"step": ..., "metadata": {...}, "tensors": {name: {"dtype", "shape", "values"}}}.
Exits with status 1 and a message on stderr when anything is wrong.
"""
import hashlib
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8")}


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        fail(f"{path}: shorter than 8 bytes")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        fail(f"{path}: header length {n} exceeds file size {len(raw)}")
    if (8 + n) % 8 != 0:
        fail(f"{path}: header not padded to 8 bytes (n = {n})")
    header_text = raw[8:8 + n].decode("utf-8")
    if header_text.rstrip(" ") != header_text.rstrip():
        fail(f"{path}: header padding is not spaces")
    header = json.loads(header_text)
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n:]
    names = list(header.keys())
    if names != sorted(names):
        fail(f"{path}: tensors are not sorted by name: {names}")
    expected_begin = 0
    tensors = {}
    for name in names:
        info = header[name]
        dtype = DTYPES[info["dtype"]]
        shape = info["shape"]
        begin, end = info["data_offsets"]
        if begin != expected_begin:
            fail(f"{path}: tensor {name} starts at {begin}, expected {expected_begin}")
        count = int(np.prod(shape)) if shape else 1
        if end - begin != count * dtype.itemsize:
            fail(f"{path}: tensor {name} spans {end - begin} bytes, shape {shape} needs {count * dtype.itemsize}")
        values = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape)
        tensors[name] = {"dtype": info["dtype"], "shape": shape, "values": values.reshape(-1).tolist()}
        expected_begin = end
    if expected_begin != len(data):
        fail(f"{path}: tensors cover {expected_begin} bytes of {len(data)}")
    return metadata, tensors, raw


def main():
    if len(sys.argv) != 2:
        fail("usage: verify_checkpoint.py CHECKPOINT_DIR")
    directory = sys.argv[1]
    with open(os.path.join(directory, "checkpoint.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    metadata, tensors, raw = read_safetensors(os.path.join(directory, manifest["weights"]["file"]))
    if hashlib.sha256(raw).hexdigest() != manifest["weights"]["sha256"]:
        fail("weights SHA-256 does not match checkpoint.json")
    for name in manifest["parameters"]:
        if name not in tensors:
            fail(f"parameter {name} missing from the weights")
    json.dump({"step": manifest["step"], "metadata": metadata, "tensors": tensors}, sys.stdout)


if __name__ == "__main__":
    main()
