#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_idx into corpus/idx/ (tests/fuzz/README.md):
good IDX files, plain and gzipped, and one file for each way the reader
refuses one.  Each file starts with fuzz_idx's selector byte b: b % 3 picks
images (0), labels (1) or a pair (2: then 2 bytes of image-file length,
the images, the labels); classes = b >> 4; b & 4 adds an image for labels.

    python3 tests/fuzz/idx_corpus.py        # rewrites corpus/idx/*.idx
Standard library only; gzip members are written with mtime 0, so the
output is the same on every run."""
import gzip
import os
import struct

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "idx")


def idx(type_code, dims, payload):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def gz(b):
    return gzip.compress(b, compresslevel=9, mtime=0)


def sel(mode, classes=0, extra=False):
    """The selector byte of fuzz_idx for a mode (0 images, 1 labels, 2 pair)."""
    for b in range(256):
        if b % 3 == mode and b >> 4 == classes and bool(b & 4) == extra:
            return bytes([b])
    raise ValueError("no selector byte for %r" % ((mode, classes, extra),))


IMAGES, LABELS = sel(0), sel(1)


def pair(images, labels, classes=0):
    return sel(2, classes) + struct.pack(">H", len(images)) + images + labels


images = idx(0x08, [3, 2, 2], bytes(range(12)))
labels = idx(0x08, [3], bytes([0, 2, 1]))
cases = {
    # good files
    "valid_images": IMAGES + images,
    "valid_images_gz": IMAGES + gz(images),
    "valid_images_two_members_gz": IMAGES + gz(images[:7]) + gz(images[7:]),
    "valid_labels_k4": sel(1, 4) + labels,
    "valid_pair": pair(images, labels),
    "valid_pair_gz": pair(gz(images), gz(labels), 3),
    "valid_float_images": IMAGES + idx(0x0D, [1, 2], struct.pack(">ff", 1.5, -2.0)),
    "valid_double_images": IMAGES + idx(0x0E, [1, 1, 2], struct.pack(">dd", 0.25, -1e300)),
    "valid_short_labels": LABELS + idx(0x0B, [2], struct.pack(">hh", 7, 300)),
    "valid_int_labels": LABELS + idx(0x0C, [3], struct.pack(">iii", 0, 65535, 1)),
    # malformed: one file for each message of the reader
    "empty": IMAGES,
    "three_bytes": IMAGES + b"\x00\x00\x08",
    "bad_magic": IMAGES + b"P5\n2 2\n255\n" + bytes(4),
    "bad_type": IMAGES + idx(0x0A, [1, 1], b"\x01"),
    "float_labels": LABELS + idx(0x0D, [1], struct.pack(">f", 1.0)),
    "no_dimensions": IMAGES + bytes([0, 0, 8, 0]),
    "labels_as_images": IMAGES + labels,
    "images_as_labels": LABELS + images,
    "short_header": IMAGES + idx(0x08, [3, 2, 2], b"")[:10],
    "zero_dimension": IMAGES + idx(0x08, [3, 0, 2], b""),
    "overflow": IMAGES + idx(0x08, [0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], b""),
    "over_limit": IMAGES + idx(0x08, [65536, 256, 65], b""),
    "huge_promise_gz": IMAGES + gz(idx(0x08, [60000, 28, 28], bytes(4096))),
    "truncated": IMAGES + images[:-5],
    "trailing": IMAGES + images + b"\x00",
    "count_mismatch": sel(1, 0, True) + labels,
    "pair_count_mismatch": pair(images, idx(0x08, [4], bytes(4))),
    "label_over_classes": pair(images, labels, 2),
    "negative_label": LABELS + idx(0x09, [2], bytes([0, 0xFF])),
    "label_over_class_limit": LABELS + idx(0x0C, [1], struct.pack(">i", 70000)),
    "nan_image": IMAGES + idx(0x0D, [1, 1], struct.pack(">f", float("nan"))),
    "inf_image": IMAGES + idx(0x0E, [1, 1], struct.pack(">d", float("-inf"))),
    "gz_corrupt": IMAGES + (lambda z: z[:12] + bytes([z[12] ^ 0xFF]) + z[13:])(gz(images)),
    "gz_bad_crc": IMAGES + (lambda z: z[:-8] + bytes([z[-8] ^ 1]) + z[-7:])(gz(images)),
    "gz_cut": IMAGES + gz(images)[:-5],
    "gz_trailing": IMAGES + gz(images) + b"junk",
    "gz_empty": IMAGES + gz(b""),
    "gz_header_only": IMAGES + b"\x1f\x8b",
}
os.makedirs(here, exist_ok=True)
for name in os.listdir(here):
    if name.endswith(".idx"):
        os.remove(os.path.join(here, name))
for name, b in sorted(cases.items()):
    with open(os.path.join(here, name + ".idx"), "wb") as f:
        f.write(b)
print("wrote %d files to %s" % (len(cases), here))
