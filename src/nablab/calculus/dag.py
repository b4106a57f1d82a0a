"""Re-export: the DAG walks live in :mod:`nablab.dag` (below every stage, render uses them too).
Kept so that code importing ``nablab.calculus.dag`` keeps working."""

from nablab.dag import has_data, has_type, nodes, tree_size

__all__ = ["has_data", "has_type", "nodes", "tree_size"]
