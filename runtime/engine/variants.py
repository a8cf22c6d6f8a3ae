"""Picking a prompt variant: by segment, then by weight, reproducibly.

The draw depends only on the call id and the node id, through SHA-256
(Python's ``hash()`` of a string changes between processes), so a replay
of a call id hears the same wording, and the same node entered twice in
one call keeps its wording.
"""

import hashlib
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from designer.graph.document import Node, Variant

_SCALE = float(1 << 64)


@dataclass(frozen=True, slots=True)
class VariantPool:
    """The variants one segment draws from at one node, with their
    cumulative weights."""

    variants: tuple[Variant, ...]
    bounds: tuple[float, ...]

    @classmethod
    def of(cls, variants) -> "VariantPool":
        variants = tuple(variants)
        weights = [v.weight if v.weight > 0 else 0.0 for v in variants]
        if variants and not any(weights):
            weights = [1.0] * len(variants)
        return cls(variants, tuple(accumulate(weights)))

    def draw(self, call_id: str, node_id: str) -> Variant | None:
        if not self.variants:
            return None
        point = unit_hash(call_id, node_id) * self.bounds[-1]
        index = bisect_right(self.bounds, point)
        return self.variants[min(index, len(self.variants) - 1)]


def unit_hash(call_id: str, node_id: str) -> float:
    """A number in [0, 1) that depends only on the two ids."""
    digest = hashlib.sha256(f"{call_id}\x1f{node_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def pools_of(node: Node) -> tuple["VariantPool", dict[str, "VariantPool"]]:
    """The default pool (variants without a segment) and one pool per
    segment named by a variant of ``node``."""
    default = VariantPool.of(v for v in node.variants if v.segment is None)
    segments = {v.segment for v in node.variants if v.segment is not None}
    by_segment = {
        segment: VariantPool.of(v for v in node.variants if v.segment == segment)
        for segment in segments
    }
    return default, by_segment
