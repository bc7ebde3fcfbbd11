"""Reading and writing safetensors files for the fixture scripts (the `safetensors` package is not needed).

Layout: a little-endian u64 header length, a JSON header padded with spaces to a multiple of 8 bytes (entries sorted by
name, optional "__metadata__"), then the tensors' bytes back to back in the same order: the layout
Engine/Checkpoints/SafeTensorsFile.cs validates.
"""
import json
import os
import struct
import tempfile

import numpy as np

TAGS = {np.dtype("float64"): "F64", np.dtype("float32"): "F32", np.dtype("int64"): "I64"}
LITTLE = {"F64": "<f8", "F32": "<f4", "I64": "<i8"}


def safetensors_bytes(tensors, metadata=None):
    """The file's bytes for {name: numpy array} (float64, float32 or int64); metadata, if given, is a {str: str} dict."""
    header, blobs, offset = ({"__metadata__": metadata} if metadata is not None else {}), [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        tag = TAGS[a.dtype]
        b = a.astype(LITTLE[tag]).tobytes()
        header[name] = {"dtype": tag, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - (8 + len(text)) % 8) % 8)
    return struct.pack("<Q", len(text)) + text.encode("utf-8") + b"".join(blobs)


def read_safetensors(raw):
    """({name: numpy array}, metadata dict) from a file's bytes."""
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {name: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=LITTLE[v["dtype"]]).reshape(v["shape"]).copy()
               for name, v in header.items()}
    return tensors, metadata


def write_atomic(path, raw):
    """Writes bytes to path through a temporary file in the same directory, synced and renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(raw)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)                                                                # mkstemp makes it 0600
    os.replace(tmp, path)


def write_fixture(path, tensors, metadata):
    """Writes a fixture file atomically after checking that its bytes read back to the same arrays; returns the bytes."""
    raw = safetensors_bytes(tensors, metadata)
    back, back_metadata = read_safetensors(raw)
    assert back_metadata == metadata and sorted(back) == sorted(tensors)
    assert all(np.array_equal(back[k], np.asarray(tensors[k])) for k in tensors), f"{path}: the bytes do not read back"
    write_atomic(path, raw)
    print(f"wrote {os.path.relpath(path)} ({len(raw)} bytes)")
    return raw


def write_cases(out_dir, cases, make):
    """Writes one fixture per case: make(*case) gives (tensors, metadata), and case[0] names out_dir/<name>.safetensors."""
    os.makedirs(out_dir, exist_ok=True)
    for case in cases:
        tensors, metadata = make(*case)
        write_fixture(os.path.join(out_dir, case[0] + ".safetensors"), tensors, metadata)
