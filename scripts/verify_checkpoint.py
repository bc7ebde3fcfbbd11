#!/usr/bin/env python3
"""Independent reader of a SeqLearn checkpoint, using only the standard library and numpy.

    python3 scripts/verify_checkpoint.py CHECKPOINT_DIR

Checks checkpoint.json's own SHA-256 (format version 2: "manifest_sha256" is the SHA-256 of the file with that
value replaced by 64 '0' characters), parses weights.safetensors and optimizer.safetensors (when the manifest has an
optimizer file) by the published format (8-byte little-endian header length, UTF-8 JSON header, raw little-endian
data), checks the layout rules (header padded to 8 bytes, tensors sorted by name and stored back to back,
span = shape x dtype size), checks the sizes and SHA-256s recorded in checkpoint.json, that the weights file holds
exactly the listed parameters, and prints one JSON object:
{"step": ..., "format_version": ..., "metadata": {...}, "tensors": {name: {"dtype", "shape", "values"}},
 "optimizer_tensors": {...}}.
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


def check_manifest_seal(raw):
    manifest = json.loads(raw)
    if manifest["format_version"] < 2:
        return manifest
    recorded = manifest["manifest_sha256"]
    quoted = ('"' + recorded + '"').encode("ascii")
    if raw.count(quoted) != 1:
        fail("checkpoint.json: the manifest_sha256 value does not occur exactly once")
    if hashlib.sha256(raw.replace(quoted, b'"' + b"0" * 64 + b'"')).hexdigest() != recorded:
        fail("checkpoint.json: manifest_sha256 does not match the file (edited or corrupted)")
    return manifest


def read_checked(directory, entry):
    metadata, tensors, raw = read_safetensors(os.path.join(directory, entry["file"]))
    if len(raw) != entry["bytes"] or hashlib.sha256(raw).hexdigest() != entry["sha256"]:
        fail(f"{entry['file']}: size or SHA-256 does not match checkpoint.json")
    return metadata, tensors


def main():
    if len(sys.argv) != 2:
        fail("usage: verify_checkpoint.py CHECKPOINT_DIR")
    directory = sys.argv[1]
    with open(os.path.join(directory, "checkpoint.json"), "rb") as f:
        manifest = check_manifest_seal(f.read())
    metadata, tensors = read_checked(directory, manifest["weights"])
    optimizer_tensors = {}
    if manifest["format_version"] >= 2 and "optimizer" in manifest:
        _, optimizer_tensors = read_checked(directory, manifest["optimizer"])
    if manifest["format_version"] >= 2 and sorted(tensors) != sorted(manifest["parameters"]):
        fail(f"the weights file holds {sorted(tensors)}, the manifest lists {sorted(manifest['parameters'])}")
    for name in manifest["parameters"]:
        if name not in tensors:
            fail(f"parameter {name} missing from the weights")
    json.dump({"step": manifest["step"], "format_version": manifest["format_version"], "metadata": metadata,
               "tensors": tensors, "optimizer_tensors": optimizer_tensors}, sys.stdout)


if __name__ == "__main__":
    main()
