"""Alertmanager's fingerprint of a label set, for alerts that arrive without one.

Prometheus' ``model.LabelSet.Fingerprint``: 64-bit FNV-1a over the label names
in byte order, each name and value followed by the separator byte 255 (which
cannot occur in UTF-8), printed as 16 hex digits. Computing the same number
lets a plain JSON alert and the Alertmanager webhook for the same label set
deduplicate onto one incident.
"""

from __future__ import annotations

OFFSET64 = 14695981039346656037
PRIME64 = 1099511628211
SEPARATOR = 0xFF
MASK = (1 << 64) - 1


def label_signature(labels: dict[str, str]) -> int:
    value = OFFSET64
    for name in sorted(labels, key=lambda n: n.encode("utf-8")):  # Go sorts strings by bytes
        for part in (name, labels[name]):
            for byte in part.encode("utf-8"):
                value = ((value ^ byte) * PRIME64) & MASK
            value = ((value ^ SEPARATOR) * PRIME64) & MASK
    return value


def fingerprint(labels: dict[str, str]) -> str:
    return f"{label_signature(labels):016x}"
