"""graphapp: a desktop lab for the chain rule.

Build an expression graph, see every node's forward value, and watch reverse-mode gradients
flow back edge by edge. The engine (:mod:`graphapp.engine`) is pure Python + numpy + networkx;
file formats live in :mod:`graphapp.formats`; the window in :mod:`graphapp.gui`.
"""

__version__ = "0.1.0"
